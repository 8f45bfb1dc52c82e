-- allocated_consumption without a copy of the direct facts (issue 14, item 2).
--
-- allocated_consumption held, per month, the direct facts grouped by (source, application,
-- product, currency, unit) beside the indirect pools' shares: 35,000 direct rows a month copied
-- by every allocation (0.36-0.58 s of a 1M-row month) and 120 MB of the 12 x 1M benchmark mart,
-- against a few hundred shares. The indirect part stays a table, allocated_indirect (shares,
-- and the pools no rule spread); allocated_consumption becomes a view with the same columns and
-- rows: the direct rows are the month's facts grouped, read when asked.
--
-- Which facts are direct is decided by the allocation, not by the catalog at read time: a fact
-- is indirect when its (month, source, product, currency, unit) is one of the month's pools,
-- and every pool has rows in allocated_indirect (its shares, or itself unspread). So a catalog
-- change between the allocation and a read neither drops nor doubles a row. allocated_month
-- records the months allocated: a month loaded but never allocated has no allocated
-- consumption, as before.
CREATE TABLE finops.allocated_indirect (
    month                 date NOT NULL,
    source                text NOT NULL,
    application_code      text NOT NULL,
    product_code          text NOT NULL,
    currency              text NOT NULL,
    unit                  text NOT NULL,
    quantity              numeric NOT NULL,
    source_cost           numeric NOT NULL,
    origin                text NOT NULL CHECK (origin IN ('allocated', 'pool')),
    allocation_rule_code  text,
    method                text,
    weight                numeric,
    total_weight          numeric,
    CHECK ((origin = 'allocated') = (allocation_rule_code IS NOT NULL))
) PARTITION BY RANGE (month);
-- the allocation explain's drill-down (api/allocation_explain.sql); the direct view reads the
-- month's few hundred rows whole
CREATE INDEX allocated_indirect_explain ON finops.allocated_indirect (month, application_code, product_code);

CREATE TABLE finops.allocated_month (
    month         date PRIMARY KEY,
    allocated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

SELECT finops.ensure_month_partition('finops.allocated_indirect'::regclass, month)
  FROM (SELECT DISTINCT month FROM finops.allocated_consumption WHERE origin <> 'direct') AS allocated;
INSERT INTO finops.allocated_indirect
    (month, source, application_code, product_code, currency, unit, quantity, source_cost, origin,
     allocation_rule_code, method, weight, total_weight)
SELECT month, source, application_code, product_code, currency, unit, quantity, source_cost, origin,
       allocation_rule_code, method, weight, total_weight
  FROM finops.allocated_consumption
 WHERE origin <> 'direct';
INSERT INTO finops.allocated_month (month)
SELECT DISTINCT month FROM finops.allocated_consumption;

DROP TABLE finops.allocated_consumption;

CREATE VIEW finops.allocated_consumption AS
SELECT f.month, f.source, f.application_code, f.product_code, f.currency, f.unit,
       sum(f.quantity) AS quantity, sum(f.source_cost) AS source_cost, 'direct'::text AS origin,
       NULL::text AS allocation_rule_code, NULL::text AS method, NULL::numeric AS weight,
       NULL::numeric AS total_weight
  FROM finops.fact_consumption AS f
 WHERE EXISTS (SELECT 1 FROM finops.allocated_month AS m WHERE m.month = f.month)
   AND NOT EXISTS (SELECT 1 FROM finops.allocated_indirect AS i
                    WHERE i.month = f.month AND i.source = f.source AND i.product_code = f.product_code
                      AND i.currency = f.currency AND i.unit = f.unit)
 GROUP BY f.month, f.source, f.application_code, f.product_code, f.currency, f.unit
UNION ALL
SELECT month, source, application_code, product_code, currency, unit, quantity, source_cost, origin,
       allocation_rule_code, method, weight, total_weight
  FROM finops.allocated_indirect;
