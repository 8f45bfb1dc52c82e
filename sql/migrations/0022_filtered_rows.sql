-- A tabular source's row filters (finops.yaml `filters`) keep some records out of a month
-- without rejecting them: the audit counts them and what they carried, so that every row read
-- is still accounted for (rows_read = rows_loaded + rows_rejected + rows_filtered) and the
-- file's cost total still balances exactly (source = mart + rejected + filtered, per currency).
ALTER TABLE finops.load_audit
    ADD COLUMN rows_filtered bigint NOT NULL DEFAULT 0 CHECK (rows_filtered >= 0),
    ADD COLUMN filtered_cost jsonb NOT NULL DEFAULT '{}';  -- {currency: exact decimal}
ALTER TABLE finops.load_audit DROP CONSTRAINT load_audit_check;
ALTER TABLE finops.load_audit
    ADD CONSTRAINT load_audit_rows_accounted CHECK (rows_read = rows_loaded + rows_rejected + rows_filtered);
