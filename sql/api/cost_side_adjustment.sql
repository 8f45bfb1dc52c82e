-- What a simulation's adjustments change in one side of a costs request (api/cost_side.sql), from
-- one read model: per group, the sum over the base view's rows in the scopes read here of
-- (applied - replaced), where applied is the row's cost under the adjustments of the applied
-- levels and replaced its cost under those of the replaced levels (none: the base cost).
-- Every other row keeps its base cost, which the roll-up read for the base already holds.
-- The adjustment rows: a saved simulation's (api/simulation_adjustment_rows.sql) or a preview's,
-- sent with the request (api/preview_adjustment_rows.sql).
--
-- finops_api/costs/services.py splits a simulation in up to two such parts so that the many rows
-- of a large scope are read from a roll-up: domain and family scopes are read from the smallest
-- model holding them with the keys and applied alone; the rows of the other levels' scopes are
-- read from a model holding every level, with every adjustment applied and the first part's
-- contribution replaced. The
-- parts add up exactly to the rows' full adjustment, as every adjustment is affine:
-- finops.simulation_factors (migration 0007) folds a row's adjustments into (a, b) with simulated
-- cost = a x cost + b x quantity, so the rows of one (a, b) can be summed before it applies.
--
-- A row's adjustments are the positions it matches (scope code and months), looked up by a
-- lateral subquery the planner memoizes per (month, scope codes); they are folded once per
-- distinct set of positions (a handful), not per row: folding per row cost 3 s for 104,460 rows. Only the scoped rows are read (their codes are bind parameters, so the planner
-- sees them and uses the read model's indexes). A row without a price adds NULL, which sum()
-- skips; its group is unpriced anyway (a simulation does not price what its base view does not).
-- Converted into one currency (api/cost_side.sql), the cost and quantity summed are the row's
-- times its month's FX rate: a x cost + b x quantity is in the row's currency.
WITH adjustment AS MATERIALIZED (
    {adjustment_rows}
), scoped AS (
    SELECT {select_keys}, matched.applied, matched.replaced,
           sum({cost}) AS cost, sum({quantity}) AS quantity
      FROM {read_model} AS r
      {joins}
     CROSS JOIN LATERAL (
           SELECT array_agg(a.position ORDER BY a.position) FILTER (WHERE a.scope_level IN ({applied_levels}))
                      AS applied,
                  coalesce(array_agg(a.position ORDER BY a.position) FILTER (WHERE {replaced_filter}), '{{}}')
                      AS replaced
             FROM adjustment AS a
            WHERE r.month >= coalesce(a.month_from, r.month) AND r.month <= coalesce(a.month_to, r.month)
              AND a.scope_code = CASE a.scope_level {scope_cases} END) AS matched
     WHERE r.pricing_view_code = {read_view}
       AND r.month BETWEEN {first_month} AND {last_month}
       AND ({in_scope})
       {filters}
     GROUP BY {group_keys}, matched.applied, matched.replaced
), folded AS MATERIALIZED (
    SELECT positions.applied, positions.replaced,
           (SELECT finops.simulation_factors(a.kind, a.value ORDER BY a.position)
              FROM adjustment AS a WHERE a.position = ANY(positions.applied)) AS applied_factors,
           (SELECT finops.simulation_factors(a.kind, a.value ORDER BY a.position)
              FROM adjustment AS a WHERE a.position = ANY(positions.replaced)) AS replaced_factors
      FROM (SELECT DISTINCT applied, replaced FROM scoped WHERE applied IS NOT NULL) AS positions
)
SELECT {keys},
       sum((applied_factors[1] - replaced_factors[1]) * cost
           + (applied_factors[2] - replaced_factors[2]) * quantity) AS delta
  FROM scoped
  JOIN folded USING (applied, replaced)
 GROUP BY {keys}
