"""The platform's SQL (installed as the package `finops_sql`): migrations, batch and API
statements, loaded by relative path through finops_core.sql."""
