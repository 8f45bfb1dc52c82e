-- What a simulation's adjustments change in one side of a costs request (api/cost_side.sql):
-- per group, the sum over the base view's rows in some adjustment's scope and months of
-- (simulated cost - base cost). Only those rows are read from cost_by_product (the scope arrays
-- are computed once and go to its indexes); every other row keeps its base cost, which the
-- roll-up already holds.
--
-- finops.simulation_factors folds a row's adjustments, in their order, into (a, b) with
-- simulated cost = a x cost + b x quantity (migration 0007). An unpriced row (NULL cost) stays
-- unpriced, and adds nothing to the sum.
SELECT {select_keys},
       sum((adjustment.factors[1] - 1) * r.cost + adjustment.factors[2] * r.quantity) AS delta
  FROM finops.cost_by_product AS r
  {joins}
 CROSS JOIN LATERAL (
       SELECT finops.simulation_factors(a.kind, a.value ORDER BY a.position) AS factors
         FROM finops.simulation_adjustment AS a
        WHERE a.pricing_view_code = {view}
          AND r.month >= coalesce(a.month_from, r.month)
          AND r.month <= coalesce(a.month_to, r.month)
          AND a.scope_code = CASE a.scope_level
                                 WHEN 'domain' THEN r.domain_code
                                 WHEN 'family' THEN r.family_code
                                 WHEN 'product' THEN r.product_code
                                 WHEN 'application' THEN r.application_code
                             END) AS adjustment
 WHERE r.pricing_view_code = {read_view}
   AND r.month BETWEEN {first_month} AND {last_month}
   AND (r.domain_code = ANY (ARRAY(SELECT scope_code FROM finops.simulation_adjustment
                                    WHERE pricing_view_code = {view} AND scope_level = 'domain'))
        OR r.family_code = ANY (ARRAY(SELECT scope_code FROM finops.simulation_adjustment
                                       WHERE pricing_view_code = {view} AND scope_level = 'family'))
        OR r.product_code = ANY (ARRAY(SELECT scope_code FROM finops.simulation_adjustment
                                        WHERE pricing_view_code = {view} AND scope_level = 'product'))
        OR r.application_code = ANY (ARRAY(SELECT scope_code FROM finops.simulation_adjustment
                                            WHERE pricing_view_code = {view} AND scope_level = 'application')))
   {filters}
 GROUP BY {group_keys}
