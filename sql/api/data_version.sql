-- What the cost reads' ETags are derived from: the load audit (every materialization of a month
-- adds a load attempt), the month publication revision (every rebuild of a month's allocation,
-- valuation or cost views moves it: a load alone is not the last change, and an answer cached
-- while a month was half-published must not stay valid once it is whole) and the API's write
-- audit (a simulation created or deleted). All only grow, so a change always changes the text.
SELECT (SELECT count(*) || ':' || coalesce(max(load_id), 0) || ':' || coalesce(max(finished_at)::text, '')
          FROM finops.load_audit)
       || '/' || (SELECT coalesce(max(revision), 0) FROM finops.month_publication)
       || '/' || (SELECT coalesce(max(audit_id), 0) FROM finops.api_write_audit) AS data_version;
