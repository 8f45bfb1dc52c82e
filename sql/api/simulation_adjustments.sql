-- A simulation's adjustments, in the order they apply, as the API spells them.
SELECT jsonb_build_object('level', scope_level, 'code', scope_code) AS scope,
       to_char(month_from, 'YYYY-MM') AS "from",
       to_char(month_to, 'YYYY-MM') AS "to",
       kind,
       value::text AS value
  FROM finops.simulation_adjustment
 WHERE pricing_view_code = %(code)s
 ORDER BY position;
