-- Why the cost of a group moved from the against period to the period: the two sides are
-- grouped by the requested keys and product, matched per product, and each product's change is
-- split; the row sums its products (README.md, "Variance"):
--   a product in both periods, in one and the same unit on both sides (comparable):
--                               volume = round((q1 - q0) x c0 / q0, 6)  (0 when q0 = 0)
--                               price  = (c1 - c0) - volume
--   a product in both periods whose quantities are not comparable (another unit in each
--   period, or several units on a side, whose quantity cost_side.sql leaves null):
--                               unsplit = c1 - c0  (no volume or price is claimed across units)
--   a product in the period only:          new     = c1
--   a product in the against period only:  retired = -c0
-- and at the row, over the comparable products, when they share one unit and Q0 <> 0:
--   volume = round((Q1 - Q0) x C0 / Q0, 6)   (the change of the row's volume at its old average price)
--   mix    = (sum of the products' volumes) - volume   (the shift between products of different prices)
-- else volume = the sum of the products' volumes and mix = 0. Only sums and differences follow
-- the one rounding, so volume + mix + price + fx + unsplit + new + retired = delta exactly. A row
-- with an unpriced product on either side has no figures (priced false).
-- Converted into one currency (in_currency), each period is at its own months' rates: a product
-- in both periods is split at the against months' rates (c1r, the period's cost at the rates of
-- the months it is compared with: finops_api/costs/statements.py reads it as a third side), and
-- fx = c1 - c1r is what the rates' move alone changed; price and unsplit take c1r for c1. Not
-- converted, c1r = c1 and fx = 0. A product in both periods without the against months' rate for
-- its currency has no c1r: its row has no figures (priced false), never a split without it.
WITH product_pair AS (
    SELECT {side_keys},
           a.unit,
           a.unit = b.unit AS comparable,
           a.quantity AS q1, a.cost AS c1, b.quantity AS q0, b.cost AS c0,
           {c1_at_against_rates} AS c1r,
           a.priced IS NOT NULL AS in_period,
           b.priced IS NOT NULL AS in_against,
           coalesce(a.priced, true) AND coalesce(b.priced, true)
               AND NOT (b.priced IS NOT NULL AND a.cost IS NOT NULL AND {c1_at_against_rates} IS NULL) AS priced
      FROM ({side}) AS a
      FULL JOIN ({against_side}) AS b USING ({side_keys})
      {rated_join}
), product_effect AS (
    SELECT *,
           CASE WHEN comparable
                THEN CASE WHEN q0 <> 0 THEN round((q1 - q0) * c0 / q0, 6) ELSE 0 END END AS volume
      FROM product_pair
), row_effect AS (
    SELECT {keys},
           bool_and(priced) AS priced,
           coalesce(sum(c1), 0) AS cost,
           coalesce(sum(c0), 0) AS against_cost,
           coalesce(sum(volume), 0) AS product_volume,
           coalesce(sum(c1r - c0 - volume), 0) AS price,
           coalesce(sum(c1 - c1r) FILTER (WHERE in_period AND in_against), 0) AS fx,
           coalesce(sum(c1r - c0) FILTER (WHERE in_period AND in_against AND NOT coalesce(comparable, false)), 0)
               AS unsplit,
           coalesce(sum(c1) FILTER (WHERE NOT in_against), 0) AS new,
           coalesce(-sum(c0) FILTER (WHERE NOT in_period), 0) AS retired,
           min(unit) FILTER (WHERE comparable) = max(unit) FILTER (WHERE comparable) AS one_unit,
           sum(q1) FILTER (WHERE comparable) AS continuing_q1,
           sum(q0) FILTER (WHERE comparable) AS continuing_q0,
           sum(c0) FILTER (WHERE comparable) AS continuing_c0
      FROM product_effect
     GROUP BY {keys}
), row_volume AS (
    SELECT *,
           CASE WHEN one_unit AND continuing_q0 <> 0
                THEN round((continuing_q1 - continuing_q0) * continuing_c0 / continuing_q0, 6)
                ELSE product_volume END AS volume
      FROM row_effect
)
SELECT {keys},
       CASE WHEN priced THEN cost::text END AS cost,
       CASE WHEN priced THEN against_cost::text END AS against_cost,
       CASE WHEN priced THEN (cost - against_cost)::text END AS delta,
       CASE WHEN priced THEN volume::text END AS volume,
       CASE WHEN priced THEN (product_volume - volume)::text END AS mix,
       CASE WHEN priced THEN price::text END AS price,
       CASE WHEN priced THEN fx::text END AS fx,
       CASE WHEN priced THEN unsplit::text END AS unsplit,
       CASE WHEN priced THEN new::text END AS new,
       CASE WHEN priced THEN retired::text END AS retired,
       priced
  FROM row_volume
 ORDER BY {keys}
{page}
