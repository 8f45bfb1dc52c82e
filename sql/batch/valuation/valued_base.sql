-- The month's consumption (direct and allocated, as the view finops.allocated_consumption gives it)
-- with the referentials a valuation needs, one row per (source, application, product,
-- currency): what value_cost_views.sql and value_rate_cards.sql value under every pricing view.
-- Quantities are aggregated first and the referentials joined after (joining first was 4-5x
-- slower at 10M facts, docs/design.md section 10). Domain, family and owner are those of the
-- versions valid in that month, so a closed month keeps the names it had. trim_scale drops the
-- trailing zeros of the 18-place load format: 12.5, not 12.500000000000000000. Quantities are
-- the same in every view.
--
-- The consumption is the view's rows without its grouping: the view groups the direct facts by
-- unit, and grouping them again here (without the unit) cost twice the aggregation (0.24 ->
-- 0.16 s of CPU for a 1M-line month). Summed once, the groups and their totals are the same.
-- valued_base is kept in the order their INSERTs sort by (the rate's window and the write
-- order): their sorts then find it sorted, and the month's rows cost 0.66-0.69 s of CPU to
-- value instead of 0.73-0.87 s in the aggregation's order.
CREATE TEMP TABLE valued_base ON COMMIT DROP AS
SELECT c.month, c.source, c.application_code,
       coalesce(fam.domain_code, 'unmapped') AS domain_code, coalesce(p.family_code, 'unmapped') AS family_code,
       c.product_code, c.currency, coalesce(p.unit, c.unit) AS unit, coalesce(p.is_monetary, false) AS is_monetary,
       trim_scale(c.quantity) AS quantity, trim_scale(c.cost) AS cost, coalesce(app.owner, '') AS owner
  FROM (SELECT month, source, application_code, product_code, currency, min(unit) AS unit,
               sum(quantity) AS quantity, sum(source_cost) AS cost
          FROM (SELECT f.month, f.source, f.application_code, f.product_code, f.currency, f.unit, f.quantity,
                       f.source_cost
                  FROM finops.fact_consumption AS f
                 WHERE f.month = %(month)s
                   AND EXISTS (SELECT 1 FROM finops.allocated_month AS m WHERE m.month = f.month)
                   AND NOT EXISTS (SELECT 1 FROM finops.allocated_indirect AS i
                                    WHERE i.month = f.month AND i.source = f.source
                                      AND i.product_code = f.product_code AND i.currency = f.currency
                                      AND i.unit = f.unit)
                UNION ALL
                SELECT month, source, application_code, product_code, currency, unit, quantity, source_cost
                  FROM finops.allocated_indirect
                 WHERE month = %(month)s) AS consumption
         GROUP BY month, source, application_code, product_code, currency) AS c
  LEFT JOIN finops.dim_product AS p
         ON p.product_code = c.product_code
        AND p.valid_from <= c.month AND (p.valid_to IS NULL OR p.valid_to > c.month)
  LEFT JOIN finops.dim_family AS fam
         ON fam.family_code = p.family_code
        AND fam.valid_from <= c.month AND (fam.valid_to IS NULL OR fam.valid_to > c.month)
  LEFT JOIN finops.dim_application AS app
         ON app.application_code = c.application_code
        AND app.valid_from <= c.month AND (app.valid_to IS NULL OR app.valid_to > c.month)
 ORDER BY family_code, product_code, currency;
