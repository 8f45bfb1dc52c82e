-- A join for the costs query (api/costs.sql, {joins}) with owner_as_of=current: each
-- application's latest version, so that its whole history regroups under today's owner (a
-- deleted application keeps the owner it had last).
LEFT JOIN (SELECT DISTINCT ON (application_code) application_code, owner
             FROM finops.dim_application
            ORDER BY application_code, valid_from DESC) AS current_owner
       ON current_owner.application_code = r.application_code
