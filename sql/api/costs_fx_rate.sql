-- A join for a costs side converted into one currency (api/cost_side.sql; in_currency):
-- each row's month's FX rate from its currency into that one (fx_rate, from the pricing files'
-- fx_rates.csv), or that of the month it is compared with for a converted variance's period at
-- the against rates (CostSide.rate_shift). A row already in that currency is taken at 1
-- (finops_api/costs/services.py).
LEFT JOIN finops.fx_rate AS fx
       ON fx.month = {rate_month} AND fx.from_currency = r.currency AND fx.to_currency = {in_currency}
