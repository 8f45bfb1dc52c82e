-- Invariant 2 for the latest load of a (source, month), per currency: the facts' cost plus
-- what the rejected rows carried plus what the source's row filters kept out equals the file's
-- own total of the cost column, exactly.
WITH audit AS (
    SELECT source_cost, rejected_cost, filtered_cost FROM finops.load_audit
     WHERE month = %(month)s AND source = %(source)s AND status = 'loaded'
     ORDER BY load_id DESC LIMIT 1
), facts AS (
    SELECT currency, sum(source_cost) AS cost FROM finops.fact_consumption
     WHERE month = %(month)s AND source = %(source)s GROUP BY currency
), currencies AS (
    SELECT jsonb_object_keys(source_cost) AS currency FROM audit
    UNION SELECT jsonb_object_keys(rejected_cost) FROM audit
    UNION SELECT jsonb_object_keys(filtered_cost) FROM audit
    UNION SELECT currency FROM facts
)
SELECT c.currency,
       coalesce((a.source_cost ->> c.currency)::numeric, 0) AS source_total,
       coalesce(f.cost, 0) AS mart_total,
       coalesce((a.rejected_cost ->> c.currency)::numeric, 0) AS rejected_total,
       coalesce((a.filtered_cost ->> c.currency)::numeric, 0) AS filtered_total
  FROM currencies AS c CROSS JOIN audit AS a LEFT JOIN facts AS f USING (currency)
 ORDER BY c.currency;
