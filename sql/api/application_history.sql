-- Every version of one application, oldest first; deleted: the version was closed by a deletion.
SELECT name, owner, cost_center, entity_ref, lifecycle,
       CASE WHEN valid_from > date '1900-01-01' THEN to_char(valid_from, 'YYYY-MM') END AS valid_from,
       to_char(valid_to, 'YYYY-MM') AS valid_to,
       deleted_at IS NOT NULL AS deleted
  FROM finops.dim_application AS a
 WHERE a.application_code = %(code)s
 ORDER BY a.valid_from;  -- the column, not the text output of the same name
