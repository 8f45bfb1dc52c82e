-- Valuation and the roll-ups rewrite only what changed since they last ran
-- (finops_assets/mart/valuation.py, finops_assets/mart/read_models.py).
--
-- valuation_basis and cost_views_basis: what the month's layer was last built on besides the
-- consumption (the valuation's prices, FX rates, monetary flags and SQL; the roll-ups' SQL). A
-- step finding another basis, or none (every month built before this migration), builds the
-- month's layer whole.
ALTER TABLE finops.month_publication
    ADD COLUMN valuation_basis text,
    ADD COLUMN cost_views_basis text;

-- The valuations of a month that the roll-ups have not taken in yet: the families whose rows of
-- cost_by_product each rewrote (NULL: the whole month). Written in the valuation's transaction,
-- deleted in the roll-ups' one; a month without a row here has its roll-ups rebuilt whole.
CREATE TABLE finops.revalued_families (
    month        date NOT NULL,
    family_codes text[],
    revalued_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX revalued_families_month ON finops.revalued_families (month);
