-- Mapping coverage of a month, per source and currency, from the actual view: the cost
-- attributed to an application and the cost left to %(unallocated)s. They add up to the total
-- exactly. The share is of cost, and only when the total is positive (credits can outweigh
-- usage, and a share of a negative total means nothing). Lines with no actual price (cost NULL)
-- add nothing to the costs and are counted as unpriced_lines, so a source whose lines are all
-- unpriced has totals of 0, not NULL. %(visible)s: only these applications (a viewer's); NULL: all.
WITH totals AS (
    SELECT source, currency,
           coalesce(sum(cost) FILTER (WHERE application_code <> %(unallocated)s), 0) AS mapped_cost,
           coalesce(sum(cost) FILTER (WHERE application_code = %(unallocated)s), 0) AS unallocated_cost,
           coalesce(sum(cost), 0) AS total_cost,
           count(*) FILTER (WHERE cost IS NULL) AS unpriced_lines
      FROM finops.cost_by_product
     WHERE pricing_view_code = 'actual' AND month = %(month)s
       AND (%(visible)s::text[] IS NULL OR application_code = ANY(%(visible)s::text[]))
     GROUP BY source, currency
)
SELECT source, currency,
       mapped_cost::text AS mapped_cost,
       unallocated_cost::text AS unallocated_cost,
       total_cost::text AS total_cost,
       unpriced_lines,
       CASE WHEN total_cost > 0 THEN trim_scale(round(mapped_cost / total_cost, 6))::text END AS mapped_share
  FROM totals
 ORDER BY source, currency;
