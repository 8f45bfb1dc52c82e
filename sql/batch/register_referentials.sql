-- Products and applications seen in a load but unknown to the referentials are registered,
-- flagged is_auto for the catalog owner to review; existing versions are left as they are.
INSERT INTO finops.dim_domain (domain_code, name, kind, is_auto)
VALUES ('public-cloud', 'Public cloud', 'direct', true)
ON CONFLICT (domain_code) WHERE valid_to IS NULL DO NOTHING;

INSERT INTO finops.dim_family (family_code, domain_code, name, is_auto)
SELECT DISTINCT ON (family_code) family_code, 'public-cloud', family_name, true
  FROM staged_product
 ORDER BY family_code, family_name
ON CONFLICT (family_code) WHERE valid_to IS NULL DO NOTHING;

INSERT INTO finops.dim_product (product_code, family_code, name, unit, is_auto, is_monetary)
SELECT DISTINCT ON (product_code) product_code, family_code, product_name, unit, true, is_monetary
  FROM staged_product
 ORDER BY product_code, unit
ON CONFLICT (product_code) WHERE valid_to IS NULL DO NOTHING;

INSERT INTO finops.dim_application (application_code, name, is_auto)
SELECT DISTINCT application_code, application_code, true
  FROM staged_application
ON CONFLICT (application_code) WHERE valid_to IS NULL DO NOTHING;
