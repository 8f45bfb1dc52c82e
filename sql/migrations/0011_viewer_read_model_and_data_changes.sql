-- A viewer's reports without cost_by_product, and a log of data changes for the API's caches.
--
-- cost_by_application_family: cost_by_family per application (month x view x source x
-- application x owner x domain x family x currency). A viewer sees only the applications it
-- owns, so each of its rows is chosen by application: its by-family and by-domain reports read
-- cost_by_product (35,000 rows a month and view in the 12 x 1M benchmark) where everyone else
-- reads cost_by_family (17), 5 to 7 times slower over HTTP. A viewer's rows are found by the
-- (view, application) index: with a primary key leading with the month the planner read the
-- whole view by the family index and filtered the applications (12 x 11,800 rows for 12 x 230,
-- 177 ms against 35 ms in the benchmark mart); a family scope reads by the family index, as in
-- cost_by_owner_family. No primary key, as in cost_by_product: its only writer groups by the
-- key. Built from cost_by_product, month by month, with the other roll-ups
-- (batch/refresh_cost_rollups.sql).
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
    fully_priced       boolean NOT NULL
) PARTITION BY RANGE (month);
CREATE INDEX cost_by_application_family_view_application
    ON finops.cost_by_application_family (pricing_view_code, application_code);
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

-- data_change: one row per statement that changed who owns what (dim_application, which
-- decides what a viewer sees) or wrote a month of the read models (cost_by_product when a month
-- is valued, cost_by_application when its roll-ups are: each in the transaction that publishes
-- them). The API's data version counts them (api/data_version.sql), so that its caches (each
-- viewer's visible applications, the answers) and ETags change exactly when the data does,
-- whether by a load, a valuation alone or a Backstage sync. Read as count and last id: a row
-- committed late, with an id below the last, still changes the count. Rows are only added: a
-- lock on a single counter row would make parallel month loads wait on each other.
CREATE TABLE finops.data_change (
    change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION finops.record_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finops.data_change (table_name) VALUES (TG_TABLE_NAME);
    RETURN NULL;
END
$$;

-- the catalog's statements mostly match no row (a month's declaration of what did not change):
-- only those that changed one count
CREATE FUNCTION finops.record_catalog_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        INSERT INTO finops.data_change (table_name) VALUES (TG_TABLE_NAME);
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
    FOR EACH STATEMENT EXECUTE FUNCTION finops.record_data_change();
-- a month is rewritten as a DELETE then INSERTs (finops_assets/mart/read_models.py)
CREATE TRIGGER cost_by_product_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON finops.cost_by_product FOR EACH STATEMENT EXECUTE FUNCTION finops.record_data_change();
CREATE TRIGGER cost_by_application_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON finops.cost_by_application FOR EACH STATEMENT EXECUTE FUNCTION finops.record_data_change();
