-- Applications at a point, by the rule of referential_domains.sql.
-- %(owners)s: an empty array does not filter; %(visible)s: only these codes (a viewer's), NULL: all.
WITH latest AS (
    SELECT DISTINCT ON (a.application_code) a.*
      FROM finops.dim_application AS a
     WHERE %(as_of)s::date IS NULL OR a.valid_from <= %(as_of)s::date
     ORDER BY a.application_code, a.valid_from DESC
), at_point AS (
    SELECT l.*,
           NOT (l.valid_to IS NULL OR (%(as_of)s::date IS NOT NULL AND %(as_of)s::date < l.valid_to))
               AS deleted
      FROM latest AS l
)
SELECT application_code AS code, name, owner, cost_center, entity_ref, lifecycle,
       CASE WHEN valid_from > date '1900-01-01' THEN to_char(valid_from, 'YYYY-MM') END AS valid_from,
       to_char(valid_to, 'YYYY-MM') AS valid_to,
       deleted, is_auto AS auto
  FROM at_point
 WHERE (NOT deleted OR %(include_deleted)s::boolean)
   AND (cardinality(%(owners)s::text[]) = 0 OR owner = ANY(%(owners)s::text[]))
   AND (%(visible)s::text[] IS NULL OR application_code = ANY(%(visible)s::text[]))
 ORDER BY application_code;
