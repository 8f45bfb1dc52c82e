-- Applications that receive an allocated share but are unknown to the referential (a key file
-- naming a team's application before the catalog does) are registered, flagged is_auto.
INSERT INTO finops.dim_application (application_code, name, is_auto)
SELECT DISTINCT application_code, application_code, true
  FROM finops.allocated_indirect
 WHERE month = %(month)s AND origin = 'allocated'
ON CONFLICT (application_code) WHERE valid_to IS NULL DO NOTHING;
