-- Two facts of each load attempt the audit did not keep.
--
-- run_id: the Dagster run that recorded it (loaded, held or failed). `finops materialize` found
-- its own loads as those audited after the last load id it saw before its run, so a run of the
-- same month started from the UI meanwhile had its figures printed as the CLI's; an operator can
-- now also go from an audit row to the run's logs.
--
-- facts_sha256: the digest of the landed facts a load put in the mart (the landing manifest's).
-- A load whose facts are those of the source's previous load of the month leaves the month's
-- publication as it was: every source's unchanged reload in a run that then failed on one
-- damaged file marked the whole month stale, until that file was mended.
--
-- Both NULL for the attempts recorded before this migration and outside a Dagster run.
ALTER TABLE finops.load_audit ADD COLUMN run_id text, ADD COLUMN facts_sha256 text;
CREATE INDEX load_audit_run ON finops.load_audit (run_id) WHERE run_id IS NOT NULL;
