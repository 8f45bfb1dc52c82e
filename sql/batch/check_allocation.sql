-- Allocation conservation for %(month)s: per (source, product, currency, unit), the quantity
-- and cost of allocated_consumption (direct, shares and whole pools together) equal the
-- consumption's, exactly. Only differing keys are returned.
WITH facts AS (
    SELECT source, product_code, currency, unit, sum(quantity) AS quantity, sum(source_cost) AS cost
      FROM finops.fact_consumption WHERE month = %(month)s
     GROUP BY source, product_code, currency, unit
), allocated AS (
    SELECT source, product_code, currency, unit, sum(quantity) AS quantity, sum(source_cost) AS cost
      FROM finops.allocated_consumption WHERE month = %(month)s
     GROUP BY source, product_code, currency, unit
)
SELECT source, product_code, currency, unit,
       f.quantity AS fact_quantity, a.quantity AS allocated_quantity, f.cost AS fact_cost, a.cost AS allocated_cost
  FROM facts AS f FULL JOIN allocated AS a USING (source, product_code, currency, unit)
 WHERE f.quantity IS DISTINCT FROM a.quantity OR f.cost IS DISTINCT FROM a.cost
 ORDER BY source, product_code, currency, unit;
