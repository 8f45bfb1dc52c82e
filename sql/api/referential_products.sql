-- Products at a point, by the rule of referential_domains.sql. The domain is that of the
-- family's latest version begun at or before the same point: as_of (the current versions when
-- NULL) for a product valid then, the product's last valid day for a deleted one.
-- %(families)s / %(domains)s: empty arrays do not filter.
WITH latest AS (
    SELECT DISTINCT ON (p.product_code) p.*
      FROM finops.dim_product AS p
     WHERE %(as_of)s::date IS NULL OR p.valid_from <= %(as_of)s::date
     ORDER BY p.product_code, p.valid_from DESC
), at_point AS (
    SELECT l.*,
           NOT (l.valid_to IS NULL OR (%(as_of)s::date IS NOT NULL AND %(as_of)s::date < l.valid_to))
               AS deleted
      FROM latest AS l
), with_domain AS (
    SELECT a.*, fam.domain_code
      FROM at_point AS a
      LEFT JOIN LATERAL (
          SELECT f.domain_code
            FROM finops.dim_family AS f
           WHERE f.family_code = a.family_code
             AND f.valid_from <= CASE WHEN a.deleted THEN a.valid_to - 1
                                      ELSE coalesce(%(as_of)s::date, date 'infinity') END
           ORDER BY f.valid_from DESC
           LIMIT 1
      ) AS fam ON true
)
SELECT product_code AS code, name, family_code AS family, domain_code AS domain, unit, description,
       active, is_monetary AS monetary,
       CASE WHEN valid_from > date '1900-01-01' THEN to_char(valid_from, 'YYYY-MM') END AS valid_from,
       to_char(valid_to, 'YYYY-MM') AS valid_to,
       deleted, is_auto AS auto
  FROM with_domain
 WHERE (NOT deleted OR %(include_deleted)s::boolean)
   AND (cardinality(%(families)s::text[]) = 0 OR family_code = ANY(%(families)s::text[]))
   AND (cardinality(%(domains)s::text[]) = 0 OR domain_code = ANY(%(domains)s::text[]))
 ORDER BY product_code;
