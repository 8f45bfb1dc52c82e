-- Read models for simulations on large data: a cheaper cost_by_product to write, and owners
-- in cost_by_family.
--
-- cost_by_product is rewritten a month at a time (DELETE, then one INSERT per pricing view of
-- 35k rows for 1M billing lines), and each index of it is paid on every row written. Measured on
-- one month of the 12 x 1M benchmark, per 35k-row INSERT: heap 81 ms, the six-column text
-- primary key +260 ms (its uniqueness check also visits the rows the DELETE just removed), each
-- (view, code, month) index +60-90 ms; valuation took a month from 3.1 to 5.4 s.
--
-- The primary key goes: the only writer (batch/value_month.sql) groups by the key, so a month
-- cannot hold two rows of one key, and the valuation check (actual = consumption) would see one.
-- The scope indexes lose month, which is constant within a month's partition.
ALTER TABLE finops.cost_by_product DROP CONSTRAINT cost_by_product_pkey;
DROP INDEX finops.cost_by_product_view_family;
DROP INDEX finops.cost_by_product_view_product;
DROP INDEX finops.cost_by_product_view_application;
CREATE INDEX cost_by_product_view_family ON finops.cost_by_product (pricing_view_code, family_code);
CREATE INDEX cost_by_product_view_product ON finops.cost_by_product (pricing_view_code, product_code);
CREATE INDEX cost_by_product_view_application ON finops.cost_by_product (pricing_view_code, application_code);

-- cost_by_family gains the owner: teams are few, so the roll-up stays small, and a by-owner
-- report whose simulation is scoped on a family or domain reads it instead of every
-- cost_by_product row of the family. Its months are rebuilt from cost_by_product, which it
-- summarises (batch/refresh_cost_rollups.sql).
ALTER TABLE finops.cost_by_family ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE finops.cost_by_family DROP CONSTRAINT cost_by_family_pkey;
CREATE TEMP TABLE rebuilt_month ON COMMIT DROP AS SELECT DISTINCT month FROM finops.cost_by_family;
DELETE FROM finops.cost_by_family;
INSERT INTO finops.cost_by_family
    (month, pricing_view_code, source, owner, domain_code, family_code, currency, unit_min, unit_max,
     quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, owner, domain_code, family_code, currency, min(unit), max(unit),
       sum(quantity), sum(cost), bool_and(cost IS NOT NULL)
  FROM finops.cost_by_product
 WHERE month IN (SELECT month FROM rebuilt_month)
 GROUP BY month, pricing_view_code, source, owner, domain_code, family_code, currency;
ALTER TABLE finops.cost_by_family
    ADD PRIMARY KEY (month, pricing_view_code, source, owner, domain_code, family_code, currency);
