-- The actual view of a month holds exactly the consumption's reported cost, per source and
-- currency: nothing lost or doubled between the facts and the read model.
WITH facts AS (
    SELECT source, currency, sum(source_cost) AS cost FROM finops.fact_consumption
     WHERE month = %(month)s GROUP BY source, currency
), valued AS (
    SELECT source, currency, sum(cost) AS cost FROM finops.cost_by_product
     WHERE month = %(month)s AND pricing_view_code = 'actual' GROUP BY source, currency
)
SELECT source, currency, coalesce(f.cost, 0) AS fact_total, coalesce(v.cost, 0) AS valued_total
  FROM facts AS f FULL JOIN valued AS v USING (source, currency)
 ORDER BY source, currency;
