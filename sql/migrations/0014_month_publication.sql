-- Which consumption each published layer of a month was built from, so that a month whose
-- layers disagree (a run stopped between its steps) is reported stale instead of served as if
-- whole (docs/design.md, "Months publish atomically, or say they are stale").
--
-- Every load of the month, whatever its source, adds 1 to consumption_version in the load's own
-- transaction. Allocation, valuation and the cost views each record, in their own transaction,
-- the version of the layer they read (read first, so a record never claims newer data than was
-- read). The month is published when the four agree; a month without a row has never been
-- loaded since this migration and is taken as published.
CREATE SEQUENCE finops.month_publication_revision;

CREATE TABLE finops.month_publication (
    month               date PRIMARY KEY,
    consumption_version bigint NOT NULL DEFAULT 0,
    allocation_version  bigint NOT NULL DEFAULT 0,
    valuation_version   bigint NOT NULL DEFAULT 0,
    cost_views_version  bigint NOT NULL DEFAULT 0,
    -- changes with every record, from one sequence: the API's data version (ETag) moves with it
    revision            bigint NOT NULL DEFAULT nextval('finops.month_publication_revision'),
    updated_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
