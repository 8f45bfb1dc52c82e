-- The Dagster run that recorded each load attempt (loaded, held or failed). `finops materialize`
-- found its own loads as those audited after the last load id it saw before its run, so a run of
-- the same month started from the UI meanwhile had its figures printed as the CLI's; an
-- operator can now also go from an audit row to the run's logs. NULL for the attempts
-- recorded before this migration and for loads made outside a Dagster run.
ALTER TABLE finops.load_audit ADD COLUMN run_id text;
CREATE INDEX load_audit_run ON finops.load_audit (run_id) WHERE run_id IS NOT NULL;
