-- The months and currencies of one side of a converted costs request (in_currency) that have
-- priced costs but no FX rate into that currency: the API refuses the request naming them,
-- rather than answer with groups some of whose rows could not be converted. The side is read
-- unconverted, grouped by month and currency (api/cost_side.sql, with the request's filters, its
-- owner as of today or as of the month and the caller's sight), over its months as they are (an
-- against period unshifted); cost is null where no row is priced, and such rows need no rate.
SELECT s.month, s.currency
  FROM ({side}) AS s
 WHERE s.cost IS NOT NULL
   AND s.currency <> %(in_currency)s
   AND NOT EXISTS (SELECT 1 FROM finops.fx_rate AS fx
                    WHERE fx.month = to_date(s.month, 'YYYY-MM') AND fx.from_currency = s.currency
                      AND fx.to_currency = %(in_currency)s)
 ORDER BY s.month, s.currency
