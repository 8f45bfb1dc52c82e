-- Mapping coverage of one (source, month): the cost and lines attributed to an application,
-- and those left to %(unallocated)s, per currency. The share is of cost; when a currency's
-- total is not positive (credits outweigh usage) a share of cost means nothing, and the
-- share of lines is used instead.
SELECT currency,
       coalesce(sum(source_cost) FILTER (WHERE application_code <> %(unallocated)s), 0) AS mapped_cost,
       coalesce(sum(source_cost) FILTER (WHERE application_code = %(unallocated)s), 0) AS unallocated_cost,
       coalesce(sum(line_count) FILTER (WHERE application_code <> %(unallocated)s), 0) AS mapped_lines,
       coalesce(sum(line_count) FILTER (WHERE application_code = %(unallocated)s), 0) AS unallocated_lines,
       CASE WHEN sum(source_cost) > 0
            THEN round(coalesce(sum(source_cost) FILTER (WHERE application_code <> %(unallocated)s), 0)
                       / sum(source_cost), 6)
            ELSE round(coalesce(sum(line_count) FILTER (WHERE application_code <> %(unallocated)s), 0)::numeric
                       / sum(line_count), 6)
       END AS mapped_share
  FROM finops.fact_consumption
 WHERE source = %(source)s AND month = %(month)s
 GROUP BY currency
 ORDER BY currency;
