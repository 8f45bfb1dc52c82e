-- How an application's shares of the indirect pools of a month were computed: per pool
-- (source, product, currency, unit), the rule and method, the application's weight against the
-- total weight, the pool's quantity and reported cost, the share of both, and the share's cost
-- in every pricing view. Reads allocated_consumption by its explain index and cost_by_product by
-- its primary key: a drill-down of a few rows, not a dashboard scan.
WITH shares AS (
    SELECT month, source, application_code, product_code, currency, unit, quantity, source_cost,
           allocation_rule_code, method, weight, total_weight
      FROM finops.allocated_consumption
     WHERE month = %(month)s AND application_code = %(application)s AND origin = 'allocated'
       AND (%(product)s::text IS NULL OR product_code = %(product)s)
), pools AS (
    SELECT a.source, a.product_code, a.currency, a.unit,
           sum(a.quantity) AS pool_quantity, sum(a.source_cost) AS pool_cost
      FROM finops.allocated_consumption AS a
      JOIN shares AS s USING (source, product_code, currency, unit)
     WHERE a.month = %(month)s AND a.origin = 'allocated'
     GROUP BY a.source, a.product_code, a.currency, a.unit
)
SELECT s.source, s.product_code AS product, s.unit, s.currency,
       s.allocation_rule_code AS rule, s.method, r.driver, r.scope_level, r.scope_code,
       trim_scale(s.weight)::text AS weight, trim_scale(s.total_weight)::text AS total_weight,
       trim_scale(round(s.weight / s.total_weight, 10))::text AS share,
       trim_scale(p.pool_quantity)::text AS pool_quantity, trim_scale(p.pool_cost)::text AS pool_cost,
       trim_scale(s.quantity)::text AS quantity, trim_scale(s.source_cost)::text AS cost,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('view', c.pricing_view_code, 'currency', c.currency,
                                                     'cost', c.cost::text)
                                  ORDER BY c.pricing_view_code, c.currency), '[]')
          FROM finops.cost_by_product AS c
         WHERE c.month = s.month AND c.source = s.source AND c.application_code = s.application_code
           AND c.product_code = s.product_code)::text AS costs
  FROM shares AS s
  JOIN pools AS p USING (source, product_code, currency, unit)
  LEFT JOIN finops.allocation_rule AS r
         ON r.rule_code = s.allocation_rule_code AND r.valid_from <= s.month
        AND (r.valid_to IS NULL OR r.valid_to > s.month)
 ORDER BY s.source, s.product_code, s.currency, s.unit;
