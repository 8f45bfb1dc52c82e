-- The pools of %(month)s: each indirect product's consumption per (source, currency, unit),
-- whatever application it was recorded under, with the allocation rule that spreads it: the
-- most specific rule valid that month (product, then family, then domain; then by code).
SELECT pool.source, pool.product_code, pool.currency, pool.unit, pool.quantity, pool.source_cost,
       r.rule_code, r.method, r.driver, r.parameters::text AS parameters, r.scale
  FROM (SELECT f.source, f.product_code, f.currency, f.unit, ip.family_code, ip.domain_code,
               sum(f.quantity) AS quantity, sum(f.source_cost) AS source_cost
          FROM finops.fact_consumption AS f
          JOIN indirect_product AS ip ON ip.product_code = f.product_code
         WHERE f.month = %(month)s
         GROUP BY f.source, f.product_code, f.currency, f.unit, ip.family_code, ip.domain_code) AS pool
  LEFT JOIN LATERAL (
        SELECT rule_code, method, driver, parameters, scale
          FROM finops.allocation_rule
         WHERE deleted_at IS NULL
           AND valid_from <= %(month)s AND (valid_to IS NULL OR valid_to > %(month)s)
           AND ((scope_level = 'product' AND scope_code = pool.product_code)
             OR (scope_level = 'family' AND scope_code = pool.family_code)
             OR (scope_level = 'domain' AND scope_code = pool.domain_code))
         ORDER BY CASE scope_level WHEN 'product' THEN 1 WHEN 'family' THEN 2 ELSE 3 END, rule_code
         LIMIT 1) AS r ON true
 ORDER BY pool.source, pool.product_code, pool.currency, pool.unit;
