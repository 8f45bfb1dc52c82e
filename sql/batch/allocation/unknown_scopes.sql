-- The allocation rules valid in %(month)s whose scope names a product, family or domain the
-- mart has never known: a typo in a rule leaves the pool it meant unallocated, and the
-- allocation's warning names the rule beside that pool.
SELECT r.rule_code || ': ' || r.scope_level || ' ' || quote_literal(r.scope_code) AS rule
  FROM finops.allocation_rule AS r
 WHERE r.deleted_at IS NULL
   AND r.valid_from <= %(month)s AND (r.valid_to IS NULL OR r.valid_to > %(month)s)
   AND NOT CASE r.scope_level
           WHEN 'product' THEN EXISTS (SELECT 1 FROM finops.dim_product AS d WHERE d.product_code = r.scope_code)
           WHEN 'family' THEN EXISTS (SELECT 1 FROM finops.dim_family AS d WHERE d.family_code = r.scope_code)
           ELSE EXISTS (SELECT 1 FROM finops.dim_domain AS d WHERE d.domain_code = r.scope_code) END
 ORDER BY r.rule_code;
