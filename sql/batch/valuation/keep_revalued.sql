-- Valuing the revalued products alone (revalued_products.sql): their rows gone from
-- cost_by_product, valued_base left with theirs (in its order).
DELETE FROM finops.cost_by_product
 WHERE month = %(month)s AND product_code IN (SELECT product_code FROM revalued_product);

DELETE FROM valued_base WHERE product_code NOT IN (SELECT product_code FROM revalued_product);
