-- Families at a point, by the rule of referential_domains.sql.
WITH latest AS (
    SELECT DISTINCT ON (f.family_code) f.*
      FROM finops.dim_family AS f
     WHERE %(as_of)s::date IS NULL OR f.valid_from <= %(as_of)s::date
     ORDER BY f.family_code, f.valid_from DESC
), at_point AS (
    SELECT l.*,
           NOT (l.valid_to IS NULL OR (%(as_of)s::date IS NOT NULL AND %(as_of)s::date < l.valid_to))
               AS deleted
      FROM latest AS l
)
SELECT family_code AS code, name, domain_code AS domain,
       CASE WHEN valid_from > date '1900-01-01' THEN to_char(valid_from, 'YYYY-MM') END AS valid_from,
       to_char(valid_to, 'YYYY-MM') AS valid_to,
       deleted, is_auto AS auto
  FROM at_point
 WHERE NOT deleted OR %(include_deleted)s::boolean
 ORDER BY family_code;
