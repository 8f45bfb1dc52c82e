-- The driver backstage:team_size in %(month)s: each application weighs the members of its owner
-- group, both as they were that month (Backstage sync versions).
SELECT a.application_code, g.member_count AS weight
  FROM finops.dim_application AS a
  JOIN finops.dim_group AS g
    ON g.group_ref = a.owner
   AND g.valid_from <= %(month)s AND (g.valid_to IS NULL OR g.valid_to > %(month)s)
 WHERE a.valid_from <= %(month)s AND (a.valid_to IS NULL OR a.valid_to > %(month)s)
   AND g.member_count > 0
 ORDER BY a.application_code;
