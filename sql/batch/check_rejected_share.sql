-- The latest load of a (source, month): the rows its source's filters kept, those it rejected,
-- and the column most of them were rejected for, with its count and one of their reasons (a
-- reason quotes its value, so reasons alone rarely repeat): a first delivery, which no rule
-- holds, loads whatever share of rejects it has. `by_column`: the rejects counted per column,
-- most first (the check's metadata), null without rejects.
SELECT a.rows_read - a.rows_filtered AS rows_kept, a.rows_rejected, top.column_name,
       top.rows AS column_rows, top.reason,
       (SELECT json_object_agg(c.column_name, c.rows ORDER BY c.rows DESC, c.column_name)
          FROM (SELECT r.column_name, count(*) AS rows
                  FROM finops.rejected_row AS r
                 WHERE r.month = a.month AND r.source = a.source
                 GROUP BY r.column_name) AS c) AS by_column
  FROM finops.load_audit AS a
  LEFT JOIN LATERAL (SELECT r.column_name, count(*) AS rows, min(r.reason) AS reason
                       FROM finops.rejected_row AS r
                      WHERE r.month = a.month AND r.source = a.source
                      GROUP BY r.column_name
                      ORDER BY count(*) DESC, r.column_name
                      LIMIT 1) AS top ON true
 WHERE a.month = %(month)s AND a.source = %(source)s AND a.status = 'loaded'
 ORDER BY a.load_id DESC
 LIMIT 1;
