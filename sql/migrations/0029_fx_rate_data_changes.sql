-- The FX rates count in the API's data version (api/data_version.sql): the API converts costs
-- with them when a request asks for one currency (in_currency), so an answer kept under the
-- version (its ETag, the answer cache) must change when a rate does. As for the catalog, only a
-- statement that changed a row counts: the pricing files are applied on every referentials run,
-- and writing back the same rates must not empty the API's caches
-- (sql/batch/referentials/apply_pricing.sql writes the changed rates alone).
CREATE TRIGGER fx_rate_inserted AFTER INSERT ON finops.fx_rate
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION finops.record_catalog_change();
CREATE TRIGGER fx_rate_updated AFTER UPDATE ON finops.fx_rate
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION finops.record_catalog_change();
CREATE TRIGGER fx_rate_deleted AFTER DELETE ON finops.fx_rate
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION finops.record_catalog_change();
CREATE TRIGGER fx_rate_truncated AFTER TRUNCATE ON finops.fx_rate
    FOR EACH STATEMENT EXECUTE FUNCTION finops.record_data_change();
