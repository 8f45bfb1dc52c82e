-- The month's rows of cost_by_product under every pricing view the batch computes, from
-- valued_base (valued_base.sql): every product's on a whole valuation, the revalued products'
-- alone otherwise (keep_revalued.sql).
--
-- Each INSERT writes its rows ordered by view, family and product: a simulation reads the rows
-- of a few families or products of its base view (api/cost_side_adjustment.sql), and rows
-- written together share pages, so that read touches a few pages instead of nearly every page
-- of the month (183 -> 38 ms for one family of 2.4M rows, benchmarks/RESULTS.md).

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
