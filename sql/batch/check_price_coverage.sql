-- Price coverage of %(month)s per rate-card view: rows valued, rows left unpriced (no unit price
-- for the product that month, or no FX rate into the view's currency), and the first unpriced
-- products by name, for the catalog owner to price.
SELECT v.pricing_view_code,
       count(c.*) AS rows_total,
       count(c.*) FILTER (WHERE c.cost IS NULL) AS rows_unpriced,
       (SELECT string_agg(product_code, ', ' ORDER BY product_code)
          FROM (SELECT DISTINCT product_code FROM finops.cost_by_product AS u
                 WHERE u.month = %(month)s AND u.pricing_view_code = v.pricing_view_code
                   AND u.cost IS NULL
                 ORDER BY product_code LIMIT 10) AS first) AS unpriced_products
  FROM finops.pricing_view AS v
  LEFT JOIN finops.cost_by_product AS c
         ON c.pricing_view_code = v.pricing_view_code AND c.month = %(month)s
 WHERE v.kind = 'rate_card' AND v.deleted_at IS NULL
 GROUP BY v.pricing_view_code
 ORDER BY v.pricing_view_code;
