-- What a simulation's adjustments change in one side of a costs request (api/cost_side.sql):
-- per group, the sum over the base view's rows in some adjustment's scope of (simulated cost -
-- base cost). Every other row keeps its base cost, which the roll-up read for the base already
-- holds. Only the scoped rows are read (their codes are bind parameters, so the planner sees
-- them and uses the read model's indexes), from the smallest read model that holds the group
-- keys, the filters and the scope levels: a family scope on a by-family report reads
-- cost_by_family.
--
-- A row's adjustments depend only on its month and its scope codes: they are folded once per
-- such combination, by finops.simulation_factors (migration 0007), into (a, b) with simulated
-- cost = a x cost + b x quantity, so simulated - base = (a - 1) x cost + b x quantity, linear:
-- the rows of one combination can be summed before it applies. A row without a price adds NULL,
-- which sum() skips; its group is unpriced anyway (a simulation does not price what its base
-- view does not).
WITH scoped AS (
    SELECT {select_keys}, r.month AS scoped_month, {scope_columns_r},
           sum(r.cost) AS cost, sum(r.quantity) AS quantity
      FROM {read_model} AS r
      {joins}
     WHERE r.pricing_view_code = {read_view}
       AND r.month BETWEEN {first_month} AND {last_month}
       AND ({in_scope})
       {filters}
     GROUP BY {group_keys}, r.month, {scope_columns_r}
), factors AS MATERIALIZED (  -- once per combination, not once per use of its two factors
    SELECT combination.*,
           (SELECT finops.simulation_factors(a.kind, a.value ORDER BY a.position)
              FROM finops.simulation_adjustment AS a
             WHERE a.pricing_view_code = {view}
               AND combination.scoped_month >= coalesce(a.month_from, combination.scoped_month)
               AND combination.scoped_month <= coalesce(a.month_to, combination.scoped_month)
               AND a.scope_code = CASE a.scope_level {scope_cases} END) AS factors
      FROM (SELECT DISTINCT scoped_month, {scope_columns} FROM scoped) AS combination
)
SELECT {keys}, sum((factors[1] - 1) * cost + factors[2] * quantity) AS delta
  FROM scoped
  JOIN factors USING (scoped_month, {scope_columns})
 GROUP BY {keys}
