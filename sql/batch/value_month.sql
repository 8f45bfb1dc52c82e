-- The month's consumption (direct and allocated, as the view finops.allocated_consumption gives it)
-- valued under every pricing view the batch computes, into cost_by_product. Quantities are
-- aggregated first and the referentials joined after (joining first was 4-5x slower at 10M facts,
-- docs/design.md section 10). Domain, family and owner are those of the versions valid in that month, so a
-- closed month keeps the names it had. trim_scale drops the trailing zeros of the 18-place load
-- format: 12.5, not 12.500000000000000000. Quantities are the same in every view.
--
-- Each INSERT writes its rows ordered by view, family and product: a simulation reads the rows
-- of a few families or products of its base view (api/cost_side_adjustment.sql), and rows
-- written together share pages, so that read touches a few pages instead of nearly every page
-- of the month (183 -> 38 ms for one family of 2.4M rows, benchmarks/RESULTS.md).
--
-- The consumption is the view's rows without its grouping: the view groups the direct facts by
-- unit, and grouping them again here (without the unit) cost twice the aggregation (0.24 ->
-- 0.16 s of CPU for a 1M-line month). Summed once, the groups and their totals are the same.
-- valued_base is kept in the order the INSERTs below sort by (the rate's window and the write
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

-- actual: each line at the cost the provider reported (allocated shares: their share of it).
INSERT INTO finops.cost_by_product
    (month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
     currency, unit, quantity, cost, owner)
SELECT month, 'actual', source, application_code, domain_code, family_code, product_code,
       currency, unit, quantity, cost, owner
  FROM valued_base
 ORDER BY family_code, product_code;

-- actual-rate: one rate per product and currency in the month (total actual cost / total
-- quantity, over every source and application), so the same unit costs every application the
-- same. Costs are rounded to 10 decimals; where the month's total quantity is 0 there is no
-- rate and the actual cost stands. A product has one family in the month, so the window's partitions
-- are the products' and currencies', in the write order: one sort serves both.
INSERT INTO finops.cost_by_product
    (month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
     currency, unit, quantity, cost, owner)
SELECT month, 'actual-rate', source, application_code, domain_code, family_code, product_code,
       currency, unit, quantity,
       CASE WHEN total_quantity <> 0 THEN trim_scale(round(quantity * total_cost / total_quantity, 10))
            ELSE cost END,
       owner
  FROM (SELECT b.*, sum(quantity) OVER w AS total_quantity, sum(cost) OVER w AS total_cost
          FROM valued_base AS b
        WINDOW w AS (PARTITION BY family_code, product_code, currency)) AS rated
 ORDER BY family_code, product_code;

-- rate cards: quantity x the view's unit price valid that month, converted into the view's
-- currency with the month's FX rate when the price is in another currency. Monetary amounts
-- (tax, credits) are priced 1 in their own currency in every view. No rounding: the cost is the
-- exact product. A missing price or FX rate leaves the cost NULL (unpriced, never 0); line
-- currencies merge into the view's currency.
INSERT INTO finops.cost_by_product
    (month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
     currency, unit, quantity, cost, owner)
SELECT month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
       view_currency, min(unit), sum(quantity),
       CASE WHEN bool_and(value IS NOT NULL) THEN trim_scale(sum(value)) END, owner
  FROM (SELECT b.*, v.pricing_view_code, v.currency AS view_currency,
               b.quantity * price.unit_price
                 * CASE WHEN price.currency = v.currency THEN 1 ELSE fx.rate END AS value
          FROM valued_base AS b
         CROSS JOIN finops.pricing_view AS v
          LEFT JOIN LATERAL (
                SELECT 1::numeric AS unit_price, b.currency WHERE b.is_monetary
                UNION ALL
                SELECT u.unit_price, u.currency
                  FROM finops.unit_price AS u
                 WHERE NOT b.is_monetary
                   AND u.pricing_view_code = v.pricing_view_code AND u.product_code = b.product_code
                   AND u.month_from <= b.month AND (u.month_to IS NULL OR u.month_to > b.month)) AS price
                 ON true
          LEFT JOIN finops.fx_rate AS fx
                 ON fx.month = b.month AND fx.from_currency = price.currency AND fx.to_currency = v.currency
         WHERE v.kind = 'rate_card' AND v.deleted_at IS NULL) AS priced
 GROUP BY month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
          view_currency, owner
 ORDER BY pricing_view_code, family_code, product_code;
