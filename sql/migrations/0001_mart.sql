-- The FinOps data mart (DESIGN.md section 6).
-- Money and quantities are NUMERIC without a fixed scale: values arrive with the precision the
-- provider wrote, and no step of ours rounds them.

CREATE SCHEMA IF NOT EXISTS finops;
SET search_path TO finops;

-- ---------------------------------------------------------------------------------------------
-- Referentials, kept as history (SCD type 2): one row per version of a business key.
-- valid_from / valid_to are months (first day); valid_to is exclusive and NULL for the current
-- version. Nothing is deleted physically: deleted_at marks a soft delete.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE dim_domain (
    domain_key      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain_code     text NOT NULL,
    name            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('direct', 'indirect')),
    valid_from      date NOT NULL DEFAULT date '1900-01-01',
    valid_to        date,
    deleted_at      timestamptz,
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    UNIQUE (domain_code, valid_from)
);
CREATE UNIQUE INDEX dim_domain_current ON dim_domain (domain_code) WHERE valid_to IS NULL;

CREATE TABLE dim_family (
    family_key      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_code     text NOT NULL,
    domain_code     text NOT NULL,
    name            text NOT NULL,
    valid_from      date NOT NULL DEFAULT date '1900-01-01',
    valid_to        date,
    deleted_at      timestamptz,
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    UNIQUE (family_code, valid_from)
);
CREATE UNIQUE INDEX dim_family_current ON dim_family (family_code) WHERE valid_to IS NULL;

CREATE TABLE dim_product (
    product_key     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_code    text NOT NULL,
    family_code     text NOT NULL,
    name            text NOT NULL,
    unit            text NOT NULL,
    description     text,
    active          boolean NOT NULL DEFAULT true,
    -- registered by a load because no catalog entry matched; for the catalog owner to review
    is_auto         boolean NOT NULL DEFAULT false,
    -- amounts that are not consumption (tax, credit, ...): unit = currency, price 1 in every view
    is_monetary     boolean NOT NULL DEFAULT false,
    valid_from      date NOT NULL DEFAULT date '1900-01-01',
    valid_to        date,
    deleted_at      timestamptz,
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    UNIQUE (product_code, valid_from)
);
CREATE UNIQUE INDEX dim_product_current ON dim_product (product_code) WHERE valid_to IS NULL;

CREATE TABLE dim_application (
    application_key  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_code text NOT NULL,
    name             text NOT NULL,
    owner            text,            -- a Backstage group ref, e.g. group:default/payments-team
    cost_center      text,
    entity_ref       text,            -- a Backstage entity ref, e.g. component:default/payments
    lifecycle        text,
    is_auto          boolean NOT NULL DEFAULT false,
    valid_from       date NOT NULL DEFAULT date '1900-01-01',
    valid_to         date,
    deleted_at       timestamptz,
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    UNIQUE (application_code, valid_from)
);
CREATE UNIQUE INDEX dim_application_current ON dim_application (application_code) WHERE valid_to IS NULL;

-- ---------------------------------------------------------------------------------------------
-- Loads: audit and rejected rows. One audit row per (source, month) load attempt.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE load_audit (
    load_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source          text NOT NULL,
    month           date NOT NULL,
    rows_read       bigint NOT NULL,
    rows_loaded     bigint NOT NULL,
    rows_rejected   bigint NOT NULL,
    files           jsonb NOT NULL,     -- [{path, size, sha256}]
    cost_column     text NOT NULL,
    source_cost     jsonb NOT NULL,     -- {currency: exact decimal}: the file's own total
    rejected_cost   jsonb NOT NULL,     -- {currency: exact decimal}: what the rejected rows carried
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    CHECK (rows_read = rows_loaded + rows_rejected)
);
CREATE INDEX load_audit_month ON load_audit (month, source, load_id DESC);

CREATE TABLE rejected_row (
    month           date NOT NULL,
    source          text NOT NULL,
    load_id         bigint NOT NULL REFERENCES load_audit,
    file            text NOT NULL,
    line_number     bigint NOT NULL,     -- 1-based CSV record number (header excluded)
    column_name     text NOT NULL,
    reason          text NOT NULL,
    raw_row         jsonb NOT NULL
);
CREATE INDEX rejected_row_month ON rejected_row (month, source);

-- ---------------------------------------------------------------------------------------------
-- Consumption: quantities per month, source, application and product. An aggregate of the
-- billing lines (kept in the landing layer), never one row per line. Partitioned by month.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE fact_consumption (
    month             date NOT NULL,
    source            text NOT NULL,
    application_code  text NOT NULL,
    product_code      text NOT NULL,
    sub_account_id    text NOT NULL DEFAULT '',
    region_id         text NOT NULL DEFAULT '',
    currency          text NOT NULL,
    unit              text NOT NULL,
    quantity          numeric NOT NULL,
    source_cost       numeric NOT NULL,   -- what the provider reported (the configured cost column)
    line_count        bigint NOT NULL,
    load_id           bigint NOT NULL
) PARTITION BY RANGE (month);
CREATE INDEX fact_consumption_month_source ON fact_consumption (month, source);

-- ---------------------------------------------------------------------------------------------
-- Valuation: pricing views and their unit prices.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE pricing_view (
    pricing_view_code  text PRIMARY KEY,
    name               text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('source', 'derived', 'rate_card', 'simulation')),
    currency           text,              -- reporting currency; NULL keeps each line's own
    base_view          text REFERENCES pricing_view,
    description        text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    CHECK ((kind = 'simulation') = (base_view IS NOT NULL))
);
INSERT INTO pricing_view (pricing_view_code, name, kind, description) VALUES
    ('actual', 'Actual', 'source', 'Each line valued at the cost the provider reported');

CREATE TABLE unit_price (
    pricing_view_code  text NOT NULL REFERENCES pricing_view,
    product_code       text NOT NULL,
    month_from         date NOT NULL,
    month_to           date,              -- exclusive; NULL = open-ended
    currency           text NOT NULL,
    unit_price         numeric NOT NULL,
    CHECK (month_to IS NULL OR month_to > month_from),
    PRIMARY KEY (pricing_view_code, product_code, month_from)
);

CREATE TABLE fx_rate (
    month          date NOT NULL,
    from_currency  text NOT NULL,
    to_currency    text NOT NULL,
    rate           numeric NOT NULL CHECK (rate > 0),
    PRIMARY KEY (month, from_currency, to_currency)
);

-- ---------------------------------------------------------------------------------------------
-- Allocation of indirect domains (filled by the allocation issue).
-- ---------------------------------------------------------------------------------------------

CREATE TABLE allocation_rule (
    allocation_rule_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_code           text NOT NULL,
    scope_level         text NOT NULL CHECK (scope_level IN ('domain', 'family', 'product')),
    scope_code          text NOT NULL,
    method              text NOT NULL CHECK (method IN ('even', 'fixed', 'driver', 'proportional')),
    driver              text,
    parameters          jsonb NOT NULL DEFAULT '{}',
    valid_from          date NOT NULL,
    valid_to            date,
    deleted_at          timestamptz,
    UNIQUE (rule_code, valid_from)
);

CREATE TABLE allocation_key (
    driver            text NOT NULL,
    month             date NOT NULL,
    application_code  text NOT NULL,
    weight            numeric NOT NULL CHECK (weight >= 0),
    PRIMARY KEY (driver, month, application_code)
);

-- ---------------------------------------------------------------------------------------------
-- Read models: what the API reads, never the fact table (DESIGN.md invariant 6).
-- They play the part of materialized views, but are month-partitioned summary tables whose
-- month is replaced whole when that month is valued: a REFRESH recomputes all history, so its
-- cost would grow with the months kept (DESIGN.md section 10), while replacing one month costs
-- the same in year one and year ten. Their primary keys are the unique keys a view would need.
--
-- cost_by_product is the valued aggregate: month x view x source x application x product.
-- The roll-ups carry unit_min/unit_max so a reader can tell whether a quantity sum mixes units.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE cost_by_product (
    month              date NOT NULL,
    pricing_view_code  text NOT NULL,
    source             text NOT NULL,
    application_code   text NOT NULL,
    domain_code        text NOT NULL,
    family_code        text NOT NULL,
    product_code       text NOT NULL,
    currency           text NOT NULL,
    unit               text NOT NULL,
    quantity           numeric NOT NULL,
    cost               numeric,           -- NULL: no unit price in this view (never a silent 0)
    PRIMARY KEY (month, pricing_view_code, source, application_code, product_code, currency)
) PARTITION BY RANGE (month);

CREATE TABLE cost_by_application (
    month              date NOT NULL,
    pricing_view_code  text NOT NULL,
    application_code   text NOT NULL,
    currency           text NOT NULL,
    unit_min           text NOT NULL,
    unit_max           text NOT NULL,
    quantity           numeric NOT NULL,
    cost               numeric,
    fully_priced       boolean NOT NULL,
    PRIMARY KEY (month, pricing_view_code, application_code, currency)
) PARTITION BY RANGE (month);

CREATE TABLE cost_by_family (
    month              date NOT NULL,
    pricing_view_code  text NOT NULL,
    source             text NOT NULL,
    domain_code        text NOT NULL,
    family_code        text NOT NULL,
    currency           text NOT NULL,
    unit_min           text NOT NULL,
    unit_max           text NOT NULL,
    quantity           numeric NOT NULL,
    cost               numeric,
    fully_priced       boolean NOT NULL,
    PRIMARY KEY (month, pricing_view_code, source, domain_code, family_code, currency)
) PARTITION BY RANGE (month);

-- Creates the month partition of a month-partitioned table if it is missing. Loads call it
-- before writing a month, so no month has to be declared ahead.
CREATE FUNCTION ensure_month_partition(parent regclass, month date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    part_name text := format('%s_%s', parent::text, to_char(first_day, 'YYYY_MM'));
BEGIN
    -- two sources loading the same new month at once must not both create the partition
    PERFORM pg_advisory_xact_lock(hashtext(part_name));
    IF to_regclass(part_name) IS NULL THEN
        EXECUTE format('CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                       part_name, parent, first_day, (first_day + interval '1 month')::date);
    END IF;
END $$;
