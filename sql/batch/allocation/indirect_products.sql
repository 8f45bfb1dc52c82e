-- The products of indirect domains in %(month)s, with the family and domain they had then: the
-- pools of the month are their consumption. Versions valid that month, so re-allocating a
-- closed month uses the catalog as it was.
CREATE TEMP TABLE indirect_product ON COMMIT DROP AS
SELECT p.product_code, p.family_code, fam.domain_code
  FROM finops.dim_product AS p
  JOIN finops.dim_family AS fam
    ON fam.family_code = p.family_code
   AND fam.valid_from <= %(month)s AND (fam.valid_to IS NULL OR fam.valid_to > %(month)s)
  JOIN finops.dim_domain AS d
    ON d.domain_code = fam.domain_code
   AND d.valid_from <= %(month)s AND (d.valid_to IS NULL OR d.valid_to > %(month)s)
 WHERE p.valid_from <= %(month)s AND (p.valid_to IS NULL OR p.valid_to > %(month)s)
   AND d.kind = 'indirect';

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
