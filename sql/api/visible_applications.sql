-- The applications a viewer sees: those whose current owner is among its ownership refs (the
-- user and its groups). Current: the latest version's owner, as owner_as_of=current reads it, so
-- a team sees the whole history of what it owns today; a deleted application keeps its last owner.
SELECT application_code
  FROM (SELECT DISTINCT ON (application_code) application_code, owner
          FROM finops.dim_application
         ORDER BY application_code, valid_from DESC) AS current_owner
 WHERE owner = ANY(%(refs)s::text[])
 ORDER BY application_code;
