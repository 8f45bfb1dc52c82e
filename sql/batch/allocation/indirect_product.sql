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
