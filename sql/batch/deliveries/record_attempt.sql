-- A load attempt that replaced nothing: a delivery held by validation, or a file that could
-- not be read. Its counts and totals are the delivery's own (zero when it could not be read).
INSERT INTO finops.load_audit (source, month, rows_read, rows_loaded, rows_rejected, rows_filtered, files,
                               cost_column, source_cost, rejected_cost, filtered_cost, started_at,
                               finished_at, status, reason, run_id)
VALUES (%(source)s, %(month)s, %(rows_read)s, %(rows_read)s - %(rows_rejected)s - %(rows_filtered)s,
        %(rows_rejected)s, %(rows_filtered)s, %(files)s, %(cost_column)s, %(source_cost)s,
        %(rejected_cost)s, %(filtered_cost)s, %(started_at)s, clock_timestamp(), %(status)s, %(reason)s,
        %(run_id)s)
RETURNING load_id;
