-- Domains and families registered by a load (public-cloud, a ServiceCategory) are flagged like
-- products and applications, so a catalog declaration takes them over instead of versioning them.
ALTER TABLE finops.dim_domain ADD COLUMN is_auto boolean NOT NULL DEFAULT false;
ALTER TABLE finops.dim_family ADD COLUMN is_auto boolean NOT NULL DEFAULT false;
