-- A viewer's reports without cost_by_product, and a version of the catalog for the API's caches.
--
-- cost_by_application_family: cost_by_family per application (month x view x source x
-- application x owner x domain x family x currency). A viewer sees only the applications it
-- owns, so each of its rows is chosen by application: its by-family and by-domain reports read
-- cost_by_product (35,000 rows a month and view in the 12 x 1M benchmark) where everyone else
-- reads cost_by_family (17), 5 to 7 times slower over HTTP. The primary key leads with the
-- application after the view, so that a viewer's rows are found by index; a family scope reads
-- by the family index, as in cost_by_owner_family. Built from cost_by_product, month by month,
-- with the other roll-ups (batch/refresh_cost_rollups.sql).
CREATE TABLE finops.cost_by_application_family (
    month              date NOT NULL,
    pricing_view_code  text NOT NULL,
    source             text NOT NULL,
    application_code   text NOT NULL,
    owner              text NOT NULL,
    domain_code        text NOT NULL,
    family_code        text NOT NULL,
    currency           text NOT NULL,
    unit_min           text NOT NULL,
    unit_max           text NOT NULL,
    quantity           numeric NOT NULL,
    cost               numeric,
    fully_priced       boolean NOT NULL,
    PRIMARY KEY (month, pricing_view_code, application_code, owner, source, domain_code, family_code, currency)
) PARTITION BY RANGE (month);
CREATE INDEX cost_by_application_family_view_family
    ON finops.cost_by_application_family (pricing_view_code, family_code);

SELECT finops.ensure_month_partition('finops.cost_by_application_family'::regclass, month)
  FROM (SELECT DISTINCT month FROM finops.cost_by_family) AS built;
INSERT INTO finops.cost_by_application_family
    (month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency,
     unit_min, unit_max, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency,
       min(unit), max(unit), sum(quantity), sum(cost), bool_and(cost IS NOT NULL)
  FROM finops.cost_by_product
 WHERE month IN (SELECT month FROM finops.cost_by_family)
 GROUP BY month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency;

-- catalog_change: one row per statement that changed dim_application (who owns what), so that
-- the API can cache each viewer's visible applications and its ETags can change when ownership
-- does, without a load (a Backstage sync). Read as count and last id (api/data_version.sql): a
-- row committed late, with an id below the last, still changes the count. Rows are only added:
-- a lock on a single counter row would make parallel month loads wait on each other.
CREATE TABLE finops.catalog_change (
    change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION finops.record_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- a statement that matched no row (most of a month's catalog statements) changes nothing
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO finops.catalog_change DEFAULT VALUES;
    ELSIF EXISTS (SELECT 1 FROM changed) THEN
        INSERT INTO finops.catalog_change DEFAULT VALUES;
    END IF;
    RETURN NULL;
END
$$;

-- one trigger per event: a trigger with transition tables takes a single event
CREATE TRIGGER dim_application_inserted AFTER INSERT ON finops.dim_application
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION finops.record_catalog_change();
CREATE TRIGGER dim_application_updated AFTER UPDATE ON finops.dim_application
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION finops.record_catalog_change();
CREATE TRIGGER dim_application_deleted AFTER DELETE ON finops.dim_application
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION finops.record_catalog_change();
CREATE TRIGGER dim_application_truncated AFTER TRUNCATE ON finops.dim_application
    FOR EACH STATEMENT EXECUTE FUNCTION finops.record_catalog_change();
