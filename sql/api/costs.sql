-- Costs of one pricing view over a month range, grouped by the requested keys.
-- A template for psycopg.sql (finops_api/costs/services.py): the brace placeholders take only
-- identifiers from a fixed list and fixed fragments, never client text; values are bind
-- parameters. The read model is aliased r, so that the keys below are its columns and not the
-- output names (ORDER BY would otherwise sort month by its YYYY-MM text).
--
-- A quantity is returned only when every row of the group has the same unit, as summing
-- vCPU-hours with GB-months means nothing. A cost is returned only when every row of the group
-- is priced in the view: a sum that skips unpriced rows would be a silent undercount.
-- Amounts leave as numeric text: exact, and never in E-notation (finops_api/amounts.py).
SELECT {select_keys},
       CASE WHEN min({unit_min}) = max({unit_max}) THEN min({unit_min}) END AS unit,
       CASE WHEN min({unit_min}) = max({unit_max}) THEN sum(r.quantity)::text END AS quantity,
       CASE WHEN bool_and({priced}) THEN sum(r.cost)::text END AS cost,
       bool_and({priced}) AS priced
  FROM {read_model} AS r
  {joins}
 WHERE r.pricing_view_code = %(view)s
   AND r.month BETWEEN %(first_month)s AND %(last_month)s
   {filters}
 GROUP BY {group_keys}
 ORDER BY {group_keys};
