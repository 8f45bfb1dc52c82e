-- One page of a load's rejected rows, in the file's order; the first column says whether the
-- load exists, so that a load without rejected rows (a row of NULLs) is told from an unknown one
-- (no row). A month's reload replaces its source's rejected rows (batch/replace_consumption.sql):
-- only the latest load of a source and month keeps its own.
-- raw_row is read as JSON text: its values are the source's texts, decoded as they are.
SELECT true AS load_known, r.file, r.line_number, r.column_name, r.reason, r.raw_row::text AS raw_row
  FROM finops.load_audit AS a
  LEFT JOIN LATERAL (
        SELECT file, line_number, column_name, reason, raw_row
          FROM finops.rejected_row
         WHERE load_id = a.load_id AND month = a.month AND source = a.source
         ORDER BY file, line_number, column_name
         {page}
       ) AS r ON true
 WHERE a.load_id = %(load_id)s
 ORDER BY r.file, r.line_number, r.column_name;
