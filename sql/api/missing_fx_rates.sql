-- The months and currencies of one side of a converted costs request (in_currency) that have
-- costs but no FX rate into that currency: the API refuses the request naming them, rather than
-- answer with groups some of whose rows could not be converted. Read from the smallest read
-- model, or the one by application for a caller who sees only some applications.
-- A template for psycopg.sql (finops_api/costs/services.py): the read model and the filters
-- are fixed fragments; values are bind parameters.
SELECT to_char(c.month, 'YYYY-MM') AS month, c.currency
  FROM (SELECT DISTINCT r.month, r.currency
          FROM {read_model} AS r
         WHERE r.pricing_view_code = %(read_view)s
           AND r.month BETWEEN %(first_month)s AND %(last_month)s
           AND r.currency <> %(in_currency)s
           {filters}) AS c
 WHERE NOT EXISTS (SELECT FROM finops.fx_rate AS fx
                    WHERE fx.month = c.month AND fx.from_currency = c.currency
                      AND fx.to_currency = %(in_currency)s)
 ORDER BY c.month, c.currency
