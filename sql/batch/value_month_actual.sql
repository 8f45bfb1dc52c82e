-- The `actual` pricing view of one month: each consumption line valued at what the provider
-- reported. Quantities are aggregated first and the referentials joined after (joining first
-- was 4-5x slower at 10M facts, DESIGN.md section 10). Domain and family are those of the
-- product version valid in that month, so a closed month keeps the names it had. trim_scale
-- drops the trailing zeros of the 18-place load format: 12.5, not 12.500000000000000000.
INSERT INTO finops.cost_by_product
    (month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
     currency, unit, quantity, cost, owner)
SELECT f.month, 'actual', f.source, f.application_code,
       coalesce(fam.domain_code, 'unmapped'), coalesce(p.family_code, 'unmapped'), f.product_code,
       f.currency, coalesce(p.unit, f.unit), trim_scale(f.quantity), trim_scale(f.cost),
       coalesce(app.owner, '')
  FROM (SELECT month, source, application_code, product_code, currency, min(unit) AS unit,
               sum(quantity) AS quantity, sum(source_cost) AS cost
          FROM finops.fact_consumption
         WHERE month = %(month)s
         GROUP BY month, source, application_code, product_code, currency) AS f
  LEFT JOIN finops.dim_product AS p
         ON p.product_code = f.product_code
        AND p.valid_from <= f.month AND (p.valid_to IS NULL OR p.valid_to > f.month)
  LEFT JOIN finops.dim_family AS fam
         ON fam.family_code = p.family_code
        AND fam.valid_from <= f.month AND (fam.valid_to IS NULL OR fam.valid_to > f.month)
  LEFT JOIN finops.dim_application AS app
         ON app.application_code = f.application_code
        AND app.valid_from <= f.month AND (app.valid_to IS NULL OR app.valid_to > f.month);
