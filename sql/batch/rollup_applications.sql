-- The applications with rows of some families in the month's cost_by_application_family. Read
-- before the families' rows are rebuilt and after, they are the applications whose rows of
-- cost_by_application the rebuild changes (finops_assets/mart/read_models.py).
SELECT DISTINCT application_code FROM finops.cost_by_application_family
 WHERE month = %(month)s AND family_code = ANY(%(families)s::text[]);
