-- Allocation conservation for %(month)s: per (source, product, currency, unit), the quantity
-- and cost of allocated_consumption (direct, shares and whole pools together) equal the
-- consumption's, exactly. Only differing keys are returned.
--
-- Read without the view (migration 0016), which would read the month's facts a second time:
-- in an allocated month (allocated_month) the view's direct rows are the facts of every key
-- that is not a pool, grouped, so those keys conserve by construction; what is left to compare
-- is each pool key (one with rows in allocated_indirect) against its facts. In a month never
-- allocated the view has no direct rows: every key of the facts is compared, as before.
WITH allocated_month AS (
    SELECT EXISTS (SELECT 1 FROM finops.allocated_month WHERE month = %(month)s) AS allocated
), allocated AS (
    SELECT source, product_code, currency, unit, sum(quantity) AS quantity, sum(source_cost) AS cost
      FROM finops.allocated_indirect WHERE month = %(month)s
     GROUP BY source, product_code, currency, unit
), facts AS (
    SELECT f.source, f.product_code, f.currency, f.unit,
           sum(f.quantity) AS quantity, sum(f.source_cost) AS cost
      FROM finops.fact_consumption AS f CROSS JOIN allocated_month AS m
     WHERE f.month = %(month)s
       AND (NOT m.allocated
            OR EXISTS (SELECT 1 FROM allocated AS a
                        WHERE a.source = f.source AND a.product_code = f.product_code
                          AND a.currency = f.currency AND a.unit = f.unit))
     GROUP BY f.source, f.product_code, f.currency, f.unit
)
SELECT source, product_code, currency, unit,
       f.quantity AS fact_quantity, a.quantity AS allocated_quantity, f.cost AS fact_cost, a.cost AS allocated_cost
  FROM facts AS f FULL JOIN allocated AS a USING (source, product_code, currency, unit)
 WHERE f.quantity IS DISTINCT FROM a.quantity OR f.cost IS DISTINCT FROM a.cost
 ORDER BY source, product_code, currency, unit;
