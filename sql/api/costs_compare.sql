-- Two sides of a costs request side by side (two pricing views over the same months, or one
-- view over two month ranges), matched on the group keys. A group found on one side only is
-- still a row, its other side null. delta = cost - against_cost; ratio = cost / against_cost to
-- 6 decimals, null when against_cost is 0 or null. units lists the units of both sides.
SELECT {keys},
       unit,
       quantity::text AS quantity,
       against_quantity::text AS against_quantity,
       units,
       cost::text AS cost,
       against_cost::text AS against_cost,
       (cost - against_cost)::text AS delta,
       CASE WHEN against_cost <> 0 THEN round(cost / against_cost, 6)::text END AS ratio,
       priced,
       against_priced
  FROM (SELECT {keys},
               CASE WHEN a.unit = b.unit OR a.priced IS NULL OR b.priced IS NULL
                    THEN coalesce(a.unit, b.unit) END AS unit,
               a.quantity,
               b.quantity AS against_quantity,
               finops.units_sorted(coalesce(a.units || b.units, a.units, b.units)) AS units,
               CASE WHEN a.priced THEN a.cost END AS cost,
               CASE WHEN b.priced THEN b.cost END AS against_cost,
               a.priced,
               b.priced AS against_priced
          FROM ({side}) AS a
          FULL JOIN ({against_side}) AS b USING ({keys})) AS compared
 ORDER BY {keys}
{page}
