-- The applications whose rows of cost_by_application a rebuild of some families' roll-ups
-- changes: those with rows of the families before (cost_by_application_family, read before its
-- rows go) or after (cost_by_product).
SELECT application_code FROM finops.cost_by_application_family
 WHERE month = %(month)s AND family_code = ANY(%(families)s::text[])
UNION
SELECT application_code FROM finops.cost_by_product
 WHERE month = %(month)s AND family_code = ANY(%(families)s::text[])
ORDER BY 1;
