-- Mapping coverage of one (source, month), per currency: the cost and lines attributed to an
-- application; those left to %(unallocated)s that allocation spreads (an indirect product of the
-- month whose pool an allocation rule valid that month covers, as allocation/pools.sql finds
-- it: recorded under no application by design, a licence invoice naming no team); and the
-- rest, nobody's. The share is of the cost attributed either way; when a currency's total is
-- not positive (credits outweigh usage) a share of cost means nothing, and the share of lines is
-- used instead. indirect_product: allocation/indirect_product.sql, run first in the transaction.
WITH spread AS (
    SELECT ip.product_code
      FROM indirect_product AS ip
     WHERE EXISTS (SELECT 1 FROM finops.allocation_rule AS r
                    WHERE r.deleted_at IS NULL
                      AND r.valid_from <= %(month)s AND (r.valid_to IS NULL OR r.valid_to > %(month)s)
                      AND ((r.scope_level = 'product' AND r.scope_code = ip.product_code)
                        OR (r.scope_level = 'family' AND r.scope_code = ip.family_code)
                        OR (r.scope_level = 'domain' AND r.scope_code = ip.domain_code)))
), attributed AS (
    SELECT f.currency, f.source_cost, f.line_count,
           CASE WHEN f.application_code <> %(unallocated)s THEN 'mapped'
                WHEN f.product_code IN (SELECT product_code FROM spread) THEN 'allocated'
                ELSE 'unallocated' END AS attribution
      FROM finops.fact_consumption AS f
     WHERE f.source = %(source)s AND f.month = %(month)s
)
SELECT currency,
       coalesce(sum(source_cost) FILTER (WHERE attribution = 'mapped'), 0) AS mapped_cost,
       coalesce(sum(source_cost) FILTER (WHERE attribution = 'allocated'), 0) AS allocated_cost,
       coalesce(sum(source_cost) FILTER (WHERE attribution = 'unallocated'), 0) AS unallocated_cost,
       coalesce(sum(line_count) FILTER (WHERE attribution = 'mapped'), 0) AS mapped_lines,
       coalesce(sum(line_count) FILTER (WHERE attribution = 'allocated'), 0) AS allocated_lines,
       coalesce(sum(line_count) FILTER (WHERE attribution = 'unallocated'), 0) AS unallocated_lines,
       CASE WHEN sum(source_cost) > 0
            THEN round(coalesce(sum(source_cost) FILTER (WHERE attribution <> 'unallocated'), 0)
                       / sum(source_cost), 6)
            ELSE round(coalesce(sum(line_count) FILTER (WHERE attribution <> 'unallocated'), 0)::numeric
                       / sum(line_count), 6)
       END AS mapped_share
  FROM attributed
 GROUP BY currency
 ORDER BY currency;
