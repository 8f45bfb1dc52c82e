-- Load attempts that replaced nothing are audited too: a delivery held by validation (empty,
-- a mandatory column missing, too many rejects, a total far from the loaded one) and a file that
-- could not be read. Only `loaded` rows describe what the mart holds; the others say why not.
ALTER TABLE finops.load_audit
    ADD COLUMN status text NOT NULL DEFAULT 'loaded' CHECK (status IN ('loaded', 'held', 'failed')),
    ADD COLUMN reason text CHECK ((status = 'loaded') = (reason IS NULL));
DROP INDEX finops.load_audit_month;
CREATE INDEX load_audit_month ON finops.load_audit (month, source, status, load_id DESC);
