-- Read models for simulations on large data: a cheaper cost_by_product to write, and roll-ups
-- by owner.
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

-- cost_by_owner_family: cost_by_family per owner (month x view x source x owner x domain x
-- family x currency), and cost_by_owner: per owner alone (month x view x owner x currency). A
-- by-owner report reads them instead of cost_by_application (a year by quarter and owner: 9,204
-- rows of the first, 21 ms, against 612 of the second), and a simulation scoped on a family or
-- domain reads its rows in cost_by_owner_family instead of every cost_by_product row of the
-- family (1.6 s for a year by quarter and owner with the largest family of the 12 x 1M
-- benchmark). cost_by_family keeps no owner: teams x families is about as large as the
-- applications (50 x 17 against 3,030 a month in the benchmark), and a by-family report would
-- read 30 times more rows. Their months are built from cost_by_product, which they summarise
-- (batch/refresh_cost_rollups.sql).
CREATE TABLE finops.cost_by_owner_family (
    month              date NOT NULL,
    pricing_view_code  text NOT NULL,
    source             text NOT NULL,
    owner              text NOT NULL,
    domain_code        text NOT NULL,
    family_code        text NOT NULL,
    currency           text NOT NULL,
    unit_min           text NOT NULL,
    unit_max           text NOT NULL,
    quantity           numeric NOT NULL,
    cost               numeric,
    fully_priced       boolean NOT NULL,
    PRIMARY KEY (month, pricing_view_code, source, owner, domain_code, family_code, currency)
) PARTITION BY RANGE (month);
-- a family scope reads one family's rows of every owner (the primary key leads with the owner)
CREATE INDEX cost_by_owner_family_view_family ON finops.cost_by_owner_family (pricing_view_code, family_code);

CREATE TABLE finops.cost_by_owner (
    month              date NOT NULL,
    pricing_view_code  text NOT NULL,
    owner              text NOT NULL,
    currency           text NOT NULL,
    unit_min           text NOT NULL,
    unit_max           text NOT NULL,
    quantity           numeric NOT NULL,
    cost               numeric,
    fully_priced       boolean NOT NULL,
    PRIMARY KEY (month, pricing_view_code, owner, currency)
) PARTITION BY RANGE (month);

SELECT finops.ensure_month_partition(parent, month)
  FROM (SELECT DISTINCT month FROM finops.cost_by_family) AS built,
       unnest(ARRAY['finops.cost_by_owner_family', 'finops.cost_by_owner']::regclass[]) AS parent;
INSERT INTO finops.cost_by_owner_family
    (month, pricing_view_code, source, owner, domain_code, family_code, currency, unit_min, unit_max,
     quantity, cost, fully_priced)
SELECT month, pricing_view_code, source, owner, domain_code, family_code, currency, min(unit), max(unit),
       sum(quantity), sum(cost), bool_and(cost IS NOT NULL)
  FROM finops.cost_by_product
 WHERE month IN (SELECT month FROM finops.cost_by_family)
 GROUP BY month, pricing_view_code, source, owner, domain_code, family_code, currency;
INSERT INTO finops.cost_by_owner
    (month, pricing_view_code, owner, currency, unit_min, unit_max, quantity, cost, fully_priced)
SELECT month, pricing_view_code, owner, currency, min(unit_min), max(unit_max), sum(quantity), sum(cost),
       bool_and(fully_priced)
  FROM finops.cost_by_owner_family
 GROUP BY month, pricing_view_code, owner, currency;
