-- Invariant 1 for the latest load of a (source, month): every row read is in the facts, in
-- the rejects or filtered out by the source's row filters, and the audit's counts agree with
-- what the tables hold.
SELECT a.rows_read, a.rows_loaded, a.rows_rejected, a.rows_filtered,
       (SELECT coalesce(sum(line_count), 0) FROM finops.fact_consumption
         WHERE month = a.month AND source = a.source) AS lines_in_facts,
       (SELECT count(*) FROM finops.rejected_row
         WHERE month = a.month AND source = a.source) AS rows_in_rejects
  FROM finops.load_audit AS a
 WHERE a.month = %(month)s AND a.source = %(source)s AND a.status = 'loaded'
 ORDER BY a.load_id DESC
 LIMIT 1;
