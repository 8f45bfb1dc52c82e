-- Domains at a point: per code, its latest version begun at or before %(as_of)s (any version
-- when NULL). That version is valid then when it is open (valid_to NULL) or, with as_of, when
-- as_of is before its valid_to; otherwise the code had been deleted by then (deleted), and is
-- listed only when %(include_deleted)s.
WITH latest AS (
    SELECT DISTINCT ON (d.domain_code) d.*
      FROM finops.dim_domain AS d
     WHERE %(as_of)s::date IS NULL OR d.valid_from <= %(as_of)s::date
     ORDER BY d.domain_code, d.valid_from DESC
), at_point AS (
    SELECT l.*,
           NOT (l.valid_to IS NULL OR (%(as_of)s::date IS NOT NULL AND %(as_of)s::date < l.valid_to))
               AS deleted
      FROM latest AS l
)
SELECT domain_code AS code, name, kind,
       CASE WHEN valid_from > date '1900-01-01' THEN to_char(valid_from, 'YYYY-MM') END AS valid_from,
       to_char(valid_to, 'YYYY-MM') AS valid_to,
       deleted, is_auto AS auto
  FROM at_point
 WHERE NOT deleted OR %(include_deleted)s::boolean
 ORDER BY domain_code;
