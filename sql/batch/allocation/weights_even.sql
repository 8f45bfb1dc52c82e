-- Weights of an even split with no list of applications: every application with direct
-- consumption in %(month)s weighs 1.
SELECT DISTINCT application_code, 1 AS weight
  FROM finops.allocated_consumption
 WHERE month = %(month)s AND origin = 'direct' AND application_code <> %(unallocated)s
 ORDER BY application_code;
