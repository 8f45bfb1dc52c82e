-- Months whose layers were built from different loads (finops.month_publication): a run
-- stopped between its steps. Each layer records the version of the one it read, so the versions
-- never exceed their input's; the month is published again when all four are equal.
-- %(firsts)s, %(lasts)s: the month ranges an answer covers, pairwise; NULL: every month.
SELECT to_char(p.month, 'YYYY-MM') AS month, p.consumption_version, p.allocation_version,
       p.valuation_version, p.cost_views_version
  FROM finops.month_publication AS p
 WHERE NOT (p.consumption_version = p.allocation_version
            AND p.allocation_version = p.valuation_version
            AND p.valuation_version = p.cost_views_version)
   AND (%(firsts)s::date[] IS NULL
        OR EXISTS (SELECT 1
                     FROM unnest(%(firsts)s::date[], %(lasts)s::date[]) AS r(first_month, last_month)
                    WHERE p.month BETWEEN r.first_month AND r.last_month))
 ORDER BY p.month;
