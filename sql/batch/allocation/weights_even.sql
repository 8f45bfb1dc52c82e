-- Weights of an even split with no list of applications: every application with direct
-- consumption in %(month)s weighs 1 (direct: a product of no indirect domain, indirect_product
-- of this transaction).
SELECT DISTINCT application_code, 1 AS weight
  FROM finops.fact_consumption AS f
 WHERE month = %(month)s AND application_code <> %(unallocated)s
   AND NOT EXISTS (SELECT 1 FROM indirect_product AS ip WHERE ip.product_code = f.product_code)
 ORDER BY application_code;
