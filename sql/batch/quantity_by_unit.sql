-- The quantity of a (source, month) slice of the facts, per unit: what quantity conservation
-- compares with the files' own totals.
SELECT unit, sum(quantity) AS quantity
  FROM finops.fact_consumption
 WHERE month = %(month)s AND source = %(source)s
 GROUP BY unit
 ORDER BY unit;
