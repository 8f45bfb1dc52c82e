-- The month's consumption of indirect products as it was recorded (indirect_product.sql, run
-- first in the same transaction, lists them).
--
-- Direct consumption is not copied: the view allocated_consumption reads it from the facts
-- (migrations/0016_allocated_consumption_view.sql). The month is marked allocated, so that the
-- view shows it.
INSERT INTO finops.allocated_month (month) VALUES (%(month)s)
ON CONFLICT (month) DO UPDATE SET allocated_at = clock_timestamp();

-- Indirect consumption as it was recorded, origin 'pool': what stays when no rule (or no key)
-- spreads a pool. The pools a rule spreads are then replaced by their shares.
INSERT INTO finops.allocated_indirect
    (month, source, application_code, product_code, currency, unit, quantity, source_cost, origin)
SELECT month, source, application_code, product_code, currency, unit, sum(quantity), sum(source_cost),
       'pool'
  FROM finops.fact_consumption AS f
 WHERE month = %(month)s
   AND EXISTS (SELECT 1 FROM indirect_product AS ip WHERE ip.product_code = f.product_code)
 GROUP BY month, source, application_code, product_code, currency, unit;
