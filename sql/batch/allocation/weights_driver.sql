-- Weights of a driver in %(month)s: the allocation keys of that month (files).
SELECT application_code, weight
  FROM finops.allocation_key
 WHERE driver = %(driver)s AND month = %(month)s AND weight > 0
 ORDER BY application_code;
