-- What the cost reads' ETags are derived from: the load audit (every materialization of a month
-- adds a load attempt, and only a materialization rewrites the read models) and the API's write
-- audit (a simulation created or deleted). Both only grow, so a change always changes the text.
SELECT (SELECT count(*) || ':' || coalesce(max(load_id), 0) || ':' || coalesce(max(finished_at)::text, '')
          FROM finops.load_audit)
       || '/' || (SELECT coalesce(max(audit_id), 0) FROM finops.api_write_audit) AS data_version;
