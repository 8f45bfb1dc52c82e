-- Months whose layers were built from different loads (finops.month_publication): a run
-- stopped between its steps. Each layer records the version of the one it read, so the versions
-- never exceed their input's; the month is published again when all four are equal.
-- Every stale month (a handful at most: a month is stale only until its run is done again); the
-- API keeps them per data version and picks those of each answer's months
-- (finops_api/publication/services.py).
SELECT p.month AS first_day, to_char(p.month, 'YYYY-MM') AS month, p.consumption_version,
       p.allocation_version, p.valuation_version, p.cost_views_version
  FROM finops.month_publication AS p
 WHERE NOT (p.consumption_version = p.allocation_version
            AND p.allocation_version = p.valuation_version
            AND p.valuation_version = p.cost_views_version)
 ORDER BY p.month;
