-- Every write the REST API makes (creating and deleting simulation pricing views): who, what,
-- when, and the state before and after, as the API spells it (JSON). Written in the same
-- transaction as the write itself, so a write is never without its entry.
CREATE TABLE finops.api_write_audit (
    audit_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    written_at  timestamptz NOT NULL DEFAULT now(),
    subject     text NOT NULL,   -- user:default/jane, or a service token's subject
    role        text NOT NULL CHECK (role IN ('viewer', 'finance', 'admin')),
    action      text NOT NULL,   -- the API operation, e.g. createSimulation
    target      text NOT NULL,   -- the pricing view code
    before      jsonb,           -- NULL for a creation
    after       jsonb            -- NULL for a deletion
);
CREATE INDEX api_write_audit_target ON finops.api_write_audit (target, written_at);
