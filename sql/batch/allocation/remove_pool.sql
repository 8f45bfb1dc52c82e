-- A pool that a rule spreads: its recorded rows give way to the shares.
DELETE FROM finops.allocated_indirect
 WHERE month = %(month)s AND origin = 'pool' AND source = %(source)s AND product_code = %(product_code)s
   AND currency = %(currency)s AND unit = %(unit)s;
