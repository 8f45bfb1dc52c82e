-- Two sides of a costs request side by side (two pricing views over the same months, or one
-- view over two month ranges), matched on the group keys. A group found on one side only is
-- still a row, its other side null. delta = cost - against_cost; ratio = cost / against_cost to
-- 6 decimals, null when against_cost is 0 or null. Each side's quantity comes with its own
-- unit and units (cost_side.sql: a quantity only where the side's group has one unit), so that
-- a group in Hours on one side and GB on the other never shows two quantities under one unit;
-- a side without the group has no unit and no units. {order}: the keys, or the largest absolute
-- delta first (the top movers with {page}; rows without a delta last).
SELECT {keys},
       unit,
       quantity::text AS quantity,
       units,
       against_unit,
       against_quantity::text AS against_quantity,
       against_units,
       cost::text AS cost,
       against_cost::text AS against_cost,
       (cost - against_cost)::text AS delta,
       CASE WHEN against_cost <> 0 THEN round(cost / against_cost, 6)::text END AS ratio,
       priced,
       against_priced
  FROM (SELECT {keys},
               a.unit,
               a.quantity,
               coalesce(a.units, '{{}}') AS units,
               b.unit AS against_unit,
               b.quantity AS against_quantity,
               coalesce(b.units, '{{}}') AS against_units,
               CASE WHEN a.priced THEN a.cost END AS cost,
               CASE WHEN b.priced THEN b.cost END AS against_cost,
               a.priced,
               b.priced AS against_priced
          FROM ({side}) AS a
          FULL JOIN ({against_side}) AS b USING ({keys})) AS compared
 ORDER BY {order}
{page}
