-- Backstage entity refs stored as Backstage compares them, ASCII letters lower-cased
-- (finops_core/entity_refs.py): refs written before were kept as written, so an owner
-- `group:default/Payments-Team` joined no group and no token. Every ref already stored is
-- rewritten the same way, the past months included, so that an owner filter, a team's tokens
-- and the Backstage sync's own comparisons (its groups kept as they were are looked up by ref)
-- find them. translate(), not lower(): ASCII alone, whatever the database's locale.
CREATE FUNCTION pg_temp.canonical_ref(ref text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT translate(ref, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;

UPDATE finops.dim_application
   SET owner = pg_temp.canonical_ref(owner), entity_ref = pg_temp.canonical_ref(entity_ref)
 WHERE owner <> pg_temp.canonical_ref(owner) OR entity_ref <> pg_temp.canonical_ref(entity_ref);

UPDATE finops.dim_group
   SET group_ref = pg_temp.canonical_ref(group_ref), parent_ref = pg_temp.canonical_ref(parent_ref)
 WHERE group_ref <> pg_temp.canonical_ref(group_ref) OR parent_ref <> pg_temp.canonical_ref(parent_ref);

-- the read models keyed by application: the owner is an attribute of their rows
UPDATE finops.cost_by_product SET owner = pg_temp.canonical_ref(owner)
 WHERE owner <> pg_temp.canonical_ref(owner);
UPDATE finops.cost_by_application_family SET owner = pg_temp.canonical_ref(owner)
 WHERE owner <> pg_temp.canonical_ref(owner);
UPDATE finops.cost_by_application SET owner = pg_temp.canonical_ref(owner)
 WHERE owner <> pg_temp.canonical_ref(owner);

-- the roll-ups keyed by owner: the rows of one owner written in two cases become one row, with
-- the sums the roll-ups' refresh would give them (refresh_cost_rollups.sql): quantities and
-- costs added (a NULL cost is no cost), units merged (0015_rollup_units.sql), priced only when
-- every row was
CREATE TEMP TABLE moved_owner_family ON COMMIT DROP AS
SELECT month, pricing_view_code, source, pg_temp.canonical_ref(owner) AS owner, domain_code, family_code,
       currency, min(unit_min) AS unit_min, max(unit_max) AS unit_max,
       finops.units_of(DISTINCT units) AS units,
       sum(quantity) AS quantity, sum(cost) AS cost, bool_and(fully_priced) AS fully_priced
  FROM finops.cost_by_owner_family
 WHERE owner <> pg_temp.canonical_ref(owner)
 GROUP BY month, pricing_view_code, source, pg_temp.canonical_ref(owner), domain_code, family_code, currency;
DELETE FROM finops.cost_by_owner_family WHERE owner <> pg_temp.canonical_ref(owner);
INSERT INTO finops.cost_by_owner_family AS t
    (month, pricing_view_code, source, owner, domain_code, family_code, currency, unit_min, unit_max,
     units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, owner, domain_code, family_code, currency, unit_min, unit_max,
       units, quantity, cost, fully_priced
  FROM moved_owner_family
    ON CONFLICT (month, pricing_view_code, source, owner, domain_code, family_code, currency) DO UPDATE
   SET unit_min = least(t.unit_min, excluded.unit_min), unit_max = greatest(t.unit_max, excluded.unit_max),
       units = finops.units_sorted(t.units || excluded.units),
       quantity = t.quantity + excluded.quantity,
       cost = CASE WHEN t.cost IS NULL THEN excluded.cost WHEN excluded.cost IS NULL THEN t.cost
                   ELSE t.cost + excluded.cost END,
       fully_priced = t.fully_priced AND excluded.fully_priced;

CREATE TEMP TABLE moved_owner ON COMMIT DROP AS
SELECT month, pricing_view_code, pg_temp.canonical_ref(owner) AS owner, currency, min(unit_min) AS unit_min,
       max(unit_max) AS unit_max,
       finops.units_of(DISTINCT units) AS units,
       sum(quantity) AS quantity, sum(cost) AS cost, bool_and(fully_priced) AS fully_priced
  FROM finops.cost_by_owner
 WHERE owner <> pg_temp.canonical_ref(owner)
 GROUP BY month, pricing_view_code, pg_temp.canonical_ref(owner), currency;
DELETE FROM finops.cost_by_owner WHERE owner <> pg_temp.canonical_ref(owner);
INSERT INTO finops.cost_by_owner AS t
    (month, pricing_view_code, owner, currency, unit_min, unit_max, units, quantity, cost, fully_priced)
SELECT month, pricing_view_code, owner, currency, unit_min, unit_max, units, quantity, cost, fully_priced
  FROM moved_owner
    ON CONFLICT (month, pricing_view_code, owner, currency) DO UPDATE
   SET unit_min = least(t.unit_min, excluded.unit_min), unit_max = greatest(t.unit_max, excluded.unit_max),
       units = finops.units_sorted(t.units || excluded.units),
       quantity = t.quantity + excluded.quantity,
       cost = CASE WHEN t.cost IS NULL THEN excluded.cost WHEN excluded.cost IS NULL THEN t.cost
                   ELSE t.cost + excluded.cost END,
       fully_priced = t.fully_priced AND excluded.fully_priced;
