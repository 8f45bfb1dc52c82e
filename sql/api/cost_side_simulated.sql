-- One side of a costs request under a simulation pricing view: the base view's groups
-- (api/cost_side.sql, from the smallest read model that holds the keys) plus what the
-- simulation's adjustments change in them, summed over the parts they are read in
-- (api/cost_side_adjustment.sql, each part parenthesized, joined by UNION ALL). Quantities and
-- the priced flag are the base view's: a simulation only changes prices.
SELECT {keys}, base.unit, base.quantity, base.units, base.cost + coalesce(adjusted.delta, 0) AS cost,
       base.priced
  FROM ({base}) AS base
  LEFT JOIN (SELECT {keys}, sum(delta) AS delta FROM ({adjustments}) AS part GROUP BY {keys}) AS adjusted
       USING ({keys})
