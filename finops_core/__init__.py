"""What the batch (finops_assets) and the API (finops_api) share: settings, configuration,
the database URL (embedded or configured) and the migration runner. Imports no Dagster code."""
