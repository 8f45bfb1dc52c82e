-- Applies the staged allocation files (temp tables staged_rule and staged_key; see
-- finops_assets/referentials/allocation.py). A rule is identified by (code, first month); one
-- no longer declared is soft-deleted and allocates no month any more (to change a rule from a
-- month on, close it with `to` and declare its successor `from` that month: past months keep
-- the rule they had). Keys are month-dated facts and are replaced whole.
UPDATE finops.allocation_rule AS r
   SET scope_level = s.scope_level, scope_code = s.scope_code, method = s.method, driver = s.driver,
       parameters = s.parameters, valid_to = s.valid_to, scale = s.scale, deleted_at = NULL
  FROM staged_rule AS s
 WHERE r.rule_code = s.rule_code AND r.valid_from = s.valid_from;

INSERT INTO finops.allocation_rule
    (rule_code, scope_level, scope_code, method, driver, parameters, valid_from, valid_to, scale)
SELECT s.rule_code, s.scope_level, s.scope_code, s.method, s.driver, s.parameters, s.valid_from,
       s.valid_to, s.scale
  FROM staged_rule AS s
 WHERE NOT EXISTS (SELECT 1 FROM finops.allocation_rule AS r
                    WHERE r.rule_code = s.rule_code AND r.valid_from = s.valid_from);

UPDATE finops.allocation_rule AS r SET deleted_at = now()
 WHERE r.deleted_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM staged_rule AS s
                    WHERE s.rule_code = r.rule_code AND s.valid_from = r.valid_from);

DELETE FROM finops.allocation_key;

INSERT INTO finops.allocation_key (driver, month, application_code, weight)
SELECT driver, month, application_code, weight FROM staged_key;
