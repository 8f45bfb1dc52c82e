-- The month's rows of cost_by_product under the views valued from the reported cost, `actual`
-- and `actual-rate`, from valued_base (valued_base.sql): every product's on a whole valuation,
-- the revalued products' alone otherwise (keep_revalued.sql). The rate cards' rows follow
-- (value_rate_cards.sql).
--
-- Each INSERT writes its rows ordered by view, family and product: a simulation reads the rows
-- of a few families or products of its base view (api/cost_side_adjustment.sql), and rows
-- written together share pages, so that read touches a few pages instead of nearly every page
-- of the month (183 -> 38 ms for one family of 2.4M rows, benchmarks/RESULTS.md).

-- actual: each line at the cost the provider reported (allocated shares: their share of it).
INSERT INTO finops.cost_by_product
    (month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
     currency, unit, quantity, cost, owner)
SELECT month, 'actual', source, application_code, domain_code, family_code, product_code,
       currency, unit, quantity, cost, owner
  FROM valued_base
 ORDER BY family_code, product_code;

-- actual-rate: one rate per product and currency in the month (total actual cost / total
-- quantity, over every source and application), so the same unit costs every application the
-- same. Costs are rounded to 10 decimals; where the month's total quantity is 0 there is no
-- rate and the actual cost stands. A product has one family in the month, so the window's partitions
-- are the products' and currencies', in the write order: one sort serves both.
INSERT INTO finops.cost_by_product
    (month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
     currency, unit, quantity, cost, owner)
SELECT month, 'actual-rate', source, application_code, domain_code, family_code, product_code,
       currency, unit, quantity,
       CASE WHEN total_quantity <> 0 THEN trim_scale(round(quantity * total_cost / total_quantity, 10))
            ELSE cost END,
       owner
  FROM (SELECT b.*, sum(quantity) OVER w AS total_quantity, sum(cost) OVER w AS total_cost
          FROM valued_base AS b
        WINDOW w AS (PARTITION BY family_code, product_code, currency)) AS rated
 ORDER BY family_code, product_code;
