-- The latest migration applied to the mart (finops_core.migrations records one row each).
SELECT max(version) AS schema_version FROM finops.schema_migration;
