-- What valuing the month reads besides its consumption, as one digest: the products' monetary
-- flags, the pricing views, the unit prices valid in the month and the month's FX rates. The
-- consumption side (facts, allocated shares, and the families, domains, units and owners joined
-- to them) is compared row by row instead (revalued_products.sql). A month last valued on
-- another digest is valued whole. Rows are digested as their text, every column: a change that
-- cannot move a cost (a view's description) also values the month whole, never the reverse.
SELECT md5(concat_ws(E'\n',
       (SELECT string_agg(p.product_code || ':' || p.is_monetary, ',' ORDER BY p.product_code, p.is_monetary)
          FROM finops.dim_product AS p
         WHERE p.valid_from <= %(month)s AND (p.valid_to IS NULL OR p.valid_to > %(month)s)),
       (SELECT string_agg(v::text, ',' ORDER BY v::text) FROM finops.pricing_view AS v),
       (SELECT string_agg(u::text, ',' ORDER BY u::text)
          FROM finops.unit_price AS u
         WHERE u.month_from <= %(month)s AND (u.month_to IS NULL OR u.month_to > %(month)s)),
       (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM finops.fx_rate AS x WHERE x.month = %(month)s)));
