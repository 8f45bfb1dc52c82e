-- The month's rows of cost_by_product under the rate-card views, from valued_base: every
-- product's on a whole valuation, otherwise those of the revalued products whose quantities,
-- units, currencies, families, domains or owners changed (keep_rate_card_products.sql): a
-- product whose cost alone changed keeps its rows here, which read no cost. Written in (view,
-- family, product) order, as value_cost_views.sql says why.
--
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
