-- The roll-ups of one month, from that month of cost_by_product (all pricing views). units lists
-- the units of the rows summed, sorted in byte order (migrations/0015_rollup_units.sql): the
-- unit when a group has one (min = max, nearly every group of cost_by_application_family),
-- else the distinct units of its rows sorted by a subquery written here rather than by calling
-- finops.units_sorted or finops.units_of, whose SQL function starts an executor on each call:
-- 0.15 s of CPU for the 7,500 mixed groups of cost_by_application_family of a 1M-row month,
-- against 0.04 s as a subquery. The roll-ups of roll-ups join their rows' lists as text (U+001F
-- between units, as api/cost_side.sql does): an aggregate with DISTINCT sorted each group's rows.
-- cost_by_application_family first, in its key's order (a viewer reads a few applications'
-- rows: on a few pages), then the smaller roll-ups from it: the same sums over fewer rows.
--
-- The families and applications parameters are NULL when the month is rebuilt whole; else the
-- roll-ups keyed by family are rebuilt for those families, and for cost_view_families in the
-- cost_views alone (`actual` and `actual-rate`: a bill re-issued with corrected costs rewrote
-- no other view of them); cost_by_application for those applications, in application_views
-- unless NULL (finops_assets/mart/read_models.py); and cost_by_family and cost_by_owner, a few
-- hundred rows, whole.
INSERT INTO finops.cost_by_application_family
    (month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency,
     unit_min, unit_max, units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency,
       min(unit), max(unit), CASE WHEN min(unit) = max(unit) THEN ARRAY[min(unit)]
            ELSE ARRAY(SELECT DISTINCT u COLLATE "C" FROM unnest(array_agg(unit)) AS u ORDER BY 1) END,
       sum(quantity), sum(cost),
       bool_and(cost IS NOT NULL)
  FROM finops.cost_by_product
 WHERE month = %(month)s
   AND (%(families)s::text[] IS NULL OR family_code = ANY(%(families)s::text[])
        OR (family_code = ANY(%(cost_view_families)s::text[])
            AND pricing_view_code = ANY(%(cost_views)s::text[])))
 GROUP BY month, pricing_view_code, source, application_code, owner, domain_code, family_code, currency
 ORDER BY pricing_view_code, application_code;

INSERT INTO finops.cost_by_application
    (month, pricing_view_code, application_code, owner, currency, unit_min, unit_max, units, quantity,
     cost, fully_priced)
SELECT month, pricing_view_code, application_code, owner, currency, min(unit_min), max(unit_max),
       CASE WHEN min(unit_min) = max(unit_max) THEN ARRAY[min(unit_min)]
            ELSE ARRAY(SELECT DISTINCT u COLLATE "C"
                         FROM unnest(string_to_array(string_agg(array_to_string(units, E'\x1f'), E'\x1f'), E'\x1f'))
                              AS u ORDER BY 1) END, sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_application_family
 WHERE month = %(month)s
   AND (%(applications)s::text[] IS NULL OR application_code = ANY(%(applications)s::text[]))
   AND (%(application_views)s::text[] IS NULL OR pricing_view_code = ANY(%(application_views)s::text[]))
 GROUP BY month, pricing_view_code, application_code, owner, currency;

INSERT INTO finops.cost_by_owner_family
    (month, pricing_view_code, source, owner, domain_code, family_code, currency, unit_min, unit_max,
     units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, owner, domain_code, family_code, currency, min(unit_min),
       max(unit_max), CASE WHEN min(unit_min) = max(unit_max) THEN ARRAY[min(unit_min)]
            ELSE ARRAY(SELECT DISTINCT u COLLATE "C"
                         FROM unnest(string_to_array(string_agg(array_to_string(units, E'\x1f'), E'\x1f'), E'\x1f'))
                              AS u ORDER BY 1) END, sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_application_family
 WHERE month = %(month)s
   AND (%(families)s::text[] IS NULL OR family_code = ANY(%(families)s::text[])
        OR (family_code = ANY(%(cost_view_families)s::text[])
            AND pricing_view_code = ANY(%(cost_views)s::text[])))
 GROUP BY month, pricing_view_code, source, owner, domain_code, family_code, currency;

-- cost_by_family and cost_by_owner from cost_by_owner_family: the same sums over a few thousand
-- rows.
INSERT INTO finops.cost_by_family
    (month, pricing_view_code, source, domain_code, family_code, currency, unit_min, unit_max,
     units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, domain_code, family_code, currency, min(unit_min), max(unit_max),
       CASE WHEN min(unit_min) = max(unit_max) THEN ARRAY[min(unit_min)]
            ELSE ARRAY(SELECT DISTINCT u COLLATE "C"
                         FROM unnest(string_to_array(string_agg(array_to_string(units, E'\x1f'), E'\x1f'), E'\x1f'))
                              AS u ORDER BY 1) END, sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_owner_family
 WHERE month = %(month)s
 GROUP BY month, pricing_view_code, source, domain_code, family_code, currency;

INSERT INTO finops.cost_by_owner
    (month, pricing_view_code, owner, currency, unit_min, unit_max, units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, owner, currency, min(unit_min), max(unit_max),
       CASE WHEN min(unit_min) = max(unit_max) THEN ARRAY[min(unit_min)]
            ELSE ARRAY(SELECT DISTINCT u COLLATE "C"
                         FROM unnest(string_to_array(string_agg(array_to_string(units, E'\x1f'), E'\x1f'), E'\x1f'))
                              AS u ORDER BY 1) END,
       sum(quantity), sum(cost), bool_and(fully_priced)
  FROM finops.cost_by_owner_family
 WHERE month = %(month)s
 GROUP BY month, pricing_view_code, owner, currency;
