-- What valuing the month reads besides its consumption, as one digest: the products' monetary
-- flags, the rate-card views in use with their unit prices valid in the month, and the month's
-- FX rates (value_rate_cards.sql reads nothing else of them: a view's name, description or a
-- simulation, never stored in cost_by_product, leave the digest alone). The consumption side
-- (facts, allocated shares, and the families, domains, units and owners joined to them) is
-- compared row by row instead (revalued_products.sql). A month last valued on another digest is
-- valued whole. Numbers are digested as their text: 30.0 for 30.00 values the month whole,
-- never the reverse.
SELECT md5(concat_ws(E'\n',
       (SELECT string_agg(p.product_code || ':' || p.is_monetary, ',' ORDER BY p.product_code, p.is_monetary)
          FROM finops.dim_product AS p
         WHERE p.valid_from <= %(month)s AND (p.valid_to IS NULL OR p.valid_to > %(month)s)),
       (SELECT string_agg(concat_ws(':', v.pricing_view_code, v.currency, u.product_code, u.currency,
                                    u.unit_price), ','
                          ORDER BY v.pricing_view_code, u.product_code, u.month_from)
          FROM finops.pricing_view AS v
          LEFT JOIN finops.unit_price AS u
                 ON u.pricing_view_code = v.pricing_view_code
                AND u.month_from <= %(month)s AND (u.month_to IS NULL OR u.month_to > %(month)s)
         WHERE v.kind = 'rate_card' AND v.deleted_at IS NULL),
       (SELECT string_agg(concat_ws(':', x.from_currency, x.to_currency, x.rate), ','
                          ORDER BY x.from_currency, x.to_currency)
          FROM finops.fx_rate AS x
         WHERE x.month = %(month)s)));
