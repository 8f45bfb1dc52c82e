-- Load attempts, newest first, for one month or all (%(month)s NULL). `delivered` is false when
-- no file of the source held the month (the load emptied it), unlike a month whose files sum to 0;
-- null for a failed attempt, which stopped before its files were known (a damaged one among them).
-- The cost totals are read as JSON text so that their numbers reach Python as exact decimals
-- (psycopg's default JSON loader would turn a JSON number into a float).
SELECT load_id, source, to_char(month, 'YYYY-MM') AS month, rows_read, rows_loaded, rows_rejected,
       rows_filtered, CASE WHEN status <> 'failed' THEN jsonb_array_length(files) > 0 END AS delivered,
       cost_column, source_cost::text AS source_cost, rejected_cost::text AS rejected_cost,
       filtered_cost::text AS filtered_cost,
       started_at, finished_at, status, reason, run_id
  FROM finops.load_audit
 WHERE %(month)s::date IS NULL OR month = %(month)s::date
 ORDER BY started_at DESC, load_id DESC;
