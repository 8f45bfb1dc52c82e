-- Price coverage of %(month)s per rate-card view: rows valued, rows left unpriced (no unit price
-- for the product that month, or no FX rate into the view's currency), and the first unpriced
-- products by name, for the catalog owner to price; beside them, the first prices valid that
-- month of a product the mart has never known: a typo in a price file leaves the product meant
-- unpriced, and the two names side by side say which.
SELECT v.pricing_view_code,
       count(c.*) AS rows_total,
       count(c.*) FILTER (WHERE c.cost IS NULL) AS rows_unpriced,
       (SELECT string_agg(product_code, ', ' ORDER BY product_code)
          FROM (SELECT DISTINCT product_code FROM finops.cost_by_product AS u
                 WHERE u.month = %(month)s AND u.pricing_view_code = v.pricing_view_code
                   AND u.cost IS NULL
                 ORDER BY product_code LIMIT 10) AS first) AS unpriced_products,
       (SELECT string_agg(product_code, ', ' ORDER BY product_code)
          FROM (SELECT p.product_code FROM finops.unit_price AS p
                 WHERE p.pricing_view_code = v.pricing_view_code
                   AND p.month_from <= %(month)s AND (p.month_to IS NULL OR p.month_to > %(month)s)
                   AND NOT EXISTS (SELECT 1 FROM finops.dim_product AS d WHERE d.product_code = p.product_code)
                 ORDER BY p.product_code LIMIT 10) AS first) AS unknown_products
  FROM finops.pricing_view AS v
  LEFT JOIN finops.cost_by_product AS c
         ON c.pricing_view_code = v.pricing_view_code AND c.month = %(month)s
 WHERE v.kind = 'rate_card' AND v.deleted_at IS NULL
 GROUP BY v.pricing_view_code
 ORDER BY v.pricing_view_code;
