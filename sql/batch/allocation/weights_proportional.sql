-- Weights proportional to the applications' direct consumption, in %(month)s, of a product,
-- family or domain (%(to_level)s, %(to_code)s): its quantity or its reported cost (%(basis)s).
-- Direct: a product of no indirect domain (indirect_product of this transaction). Unallocated
-- consumption weighs nothing.
SELECT c.application_code,
       sum(CASE WHEN %(basis)s = 'cost' THEN c.source_cost ELSE c.quantity END) AS weight
  FROM finops.fact_consumption AS c
  JOIN finops.dim_product AS p
    ON p.product_code = c.product_code
   AND p.valid_from <= %(month)s AND (p.valid_to IS NULL OR p.valid_to > %(month)s)
  JOIN finops.dim_family AS fam
    ON fam.family_code = p.family_code
   AND fam.valid_from <= %(month)s AND (fam.valid_to IS NULL OR fam.valid_to > %(month)s)
 WHERE c.month = %(month)s AND c.application_code <> %(unallocated)s
   AND NOT EXISTS (SELECT 1 FROM indirect_product AS ip WHERE ip.product_code = c.product_code)
   AND CASE %(to_level)s WHEN 'product' THEN p.product_code
                         WHEN 'family' THEN p.family_code
                         ELSE fam.domain_code END = %(to_code)s
 GROUP BY c.application_code
HAVING sum(CASE WHEN %(basis)s = 'cost' THEN c.source_cost ELSE c.quantity END) > 0
 ORDER BY c.application_code;
