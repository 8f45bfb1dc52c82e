-- After the revalued products' `actual` and `actual-rate` rows (value_cost_views.sql): valued_base
-- left with the rows of those valued again under the rate cards too (revalued_products.sql).
DELETE FROM valued_base WHERE product_code NOT IN (SELECT product_code FROM rate_card_product);
