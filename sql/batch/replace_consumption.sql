-- Step 2 of a month load, after the advisory lock: the (source, month) slice is emptied, then
-- refilled by COPY in the same transaction, so readers see the old slice or the new one.
DELETE FROM finops.fact_consumption WHERE month = %(month)s AND source = %(source)s;
DELETE FROM finops.rejected_row WHERE month = %(month)s AND source = %(source)s;
