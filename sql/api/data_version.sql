-- What the cost reads' ETags and the API's caches are derived from: the load audit (every
-- load of a month adds an attempt), the month publication revision (every rebuild of a month's
-- allocation, valuation or cost views moves it: a load alone is not the last change, and an
-- answer cached while a month was half-published must not stay valid once it is whole), the
-- API's write audit (a simulation created or deleted) and the data changes (a month of the read
-- models written, even by a valuation alone; who owns which application, which decides what a
-- viewer sees and owner_as_of=current; the FX rates converted answers read, migration 0029).
-- All only grow, so a change always changes the text; counts as well as the last ids, as a row
-- committed late can hold an id below the last.
SELECT (SELECT count(*) || ':' || coalesce(max(load_id), 0) || ':' || coalesce(max(finished_at)::text, '')
          FROM finops.load_audit)
       || '/' || (SELECT coalesce(max(revision), 0) FROM finops.month_publication)
       || '/' || (SELECT coalesce(max(audit_id), 0) FROM finops.api_write_audit)
       || '/' || (SELECT count(*) || ':' || coalesce(max(change_id), 0) FROM finops.data_change)
       AS data_version;
