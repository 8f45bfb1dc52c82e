-- The roll-ups of one month, from that month of cost_by_product (all pricing views). units lists
-- the units of the rows summed, sorted in byte order (migrations/0015_rollup_units.sql). In
-- cost_by_application_family nearly every group has one unit (min = max): its list is that
-- unit, and the sorting function runs only for the mixed groups (array_agg(DISTINCT) sorted
-- each group's rows and the function ran for each of the 23,600 groups of a 1M-row month: 0.36
-- against 0.23 s of CPU).
-- cost_by_application_family first, in its key's order (a viewer reads a few applications'
-- rows: on a few pages), then the smaller roll-ups from it: the same sums over fewer rows.
INSERT INTO finops.cost_by_application_family
    (month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency,
     unit_min, unit_max, units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency,
       min(unit), max(unit), CASE WHEN min(unit) = max(unit) THEN ARRAY[min(unit)]
            ELSE finops.units_sorted(array_agg(unit)) END, sum(quantity), sum(cost),
       bool_and(cost IS NOT NULL)
  FROM finops.cost_by_product
 WHERE month = %(month)s
 GROUP BY month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency
 ORDER BY pricing_view_code, application_code;

INSERT INTO finops.cost_by_application
    (month, pricing_view_code, application_code, owner, currency, unit_min, unit_max, units, quantity,
     cost, fully_priced)
SELECT month, pricing_view_code, application_code, owner, currency, min(unit_min), max(unit_max),
       finops.units_of(DISTINCT units), sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_application_family
 WHERE month = %(month)s
 GROUP BY month, pricing_view_code, application_code, owner, currency;

INSERT INTO finops.cost_by_owner_family
    (month, pricing_view_code, source, owner, domain_code, family_code, currency, unit_min, unit_max,
     units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, owner, domain_code, family_code, currency, min(unit_min),
       max(unit_max), finops.units_of(DISTINCT units), sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_application_family
 WHERE month = %(month)s
 GROUP BY month, pricing_view_code, source, owner, domain_code, family_code, currency;

-- cost_by_family and cost_by_owner from cost_by_owner_family: the same sums over a few thousand
-- rows.
INSERT INTO finops.cost_by_family
    (month, pricing_view_code, source, domain_code, family_code, currency, unit_min, unit_max,
     units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, domain_code, family_code, currency, min(unit_min), max(unit_max),
       finops.units_of(DISTINCT units), sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_owner_family
 WHERE month = %(month)s
 GROUP BY month, pricing_view_code, source, domain_code, family_code, currency;

INSERT INTO finops.cost_by_owner
    (month, pricing_view_code, owner, currency, unit_min, unit_max, units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, owner, currency, min(unit_min), max(unit_max), finops.units_of(DISTINCT units),
       sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_owner_family
 WHERE month = %(month)s
 GROUP BY month, pricing_view_code, owner, currency;
