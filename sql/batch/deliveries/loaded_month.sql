-- What a (source, month) holds now: its latest load that went in (held and failed attempts
-- replaced nothing). Totals as JSON text, so that they reach Python as exact decimals.
SELECT rows_read, rows_rejected, rows_filtered, source_cost::text AS source_cost,
       filtered_cost::text AS filtered_cost, files::text AS files
  FROM finops.load_audit
 WHERE month = %(month)s AND source = %(source)s AND status = 'loaded'
 ORDER BY load_id DESC
 LIMIT 1;
