-- Valuing the revalued products alone (revalued_products.sql): their rows gone from
-- cost_by_product under the views valued from the reported cost, and under the rate cards for
-- those whose rows differ in more than their cost; valued_base left with their rows (in its order).
DELETE FROM finops.cost_by_product
 WHERE month = %(month)s AND product_code IN (SELECT product_code FROM revalued_product)
   AND (pricing_view_code = ANY(%(cost_views)s::text[])
        OR product_code IN (SELECT product_code FROM rate_card_product));

DELETE FROM valued_base WHERE product_code NOT IN (SELECT product_code FROM revalued_product);
