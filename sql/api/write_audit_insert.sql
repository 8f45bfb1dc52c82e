-- One entry of the API's write audit (migration 0010), in the write's own transaction.
INSERT INTO finops.api_write_audit (subject, role, action, target, before, after)
VALUES (%(subject)s, %(role)s, %(action)s, %(target)s, %(before)s::jsonb, %(after)s::jsonb);
