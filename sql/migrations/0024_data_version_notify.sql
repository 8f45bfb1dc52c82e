-- A notification on channel finops_data_version whenever a table the API's data version is
-- read from (api/data_version.sql) is written: the load audit, the month publication revision,
-- the API's write audit and the data changes (themselves written by the triggers of 0011 on
-- dim_application and the read models). Each API process LISTENs on the primary and keeps the
-- version in memory, reading it again only after a notification (finops_api/data_version.py)
-- instead of once per request. PostgreSQL delivers a notification only once its transaction
-- commits, and once per transaction however many statements sent it. The payload is empty: the
-- process reads the version itself, so every process agrees on the ETags.
CREATE FUNCTION finops.notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('finops_data_version', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER load_audit_notified AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON finops.load_audit FOR EACH STATEMENT EXECUTE FUNCTION finops.notify_data_version();
CREATE TRIGGER month_publication_notified AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON finops.month_publication FOR EACH STATEMENT EXECUTE FUNCTION finops.notify_data_version();
CREATE TRIGGER api_write_audit_notified AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON finops.api_write_audit FOR EACH STATEMENT EXECUTE FUNCTION finops.notify_data_version();
CREATE TRIGGER data_change_notified AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON finops.data_change FOR EACH STATEMENT EXECUTE FUNCTION finops.notify_data_version();
