-- Pricing views beyond `actual`, and the allocation of indirect pools (issue 4).

-- `actual-rate`: one unit price per product and month, derived from the actuals, so that every
-- application pays the same rate for the same unit. Always computed, like `actual`.
INSERT INTO finops.pricing_view (pricing_view_code, name, kind, description) VALUES
    ('actual-rate', 'Actual rate', 'derived',
     'Each product''s actual cost of the month divided by its quantity, applied to every application');

-- Which pricing views come from the pricing files (so that a view removed from them is
-- soft-deleted, and views created otherwise are left alone).
ALTER TABLE finops.pricing_view ADD COLUMN from_files boolean NOT NULL DEFAULT false;

-- Allocation rules come from the allocation files; a rule removed from them is soft-deleted.
ALTER TABLE finops.allocation_rule ADD COLUMN scale integer NOT NULL DEFAULT 6 CHECK (scale BETWEEN 0 AND 18);
ALTER TABLE finops.allocation_rule ADD CONSTRAINT allocation_rule_valid_range
    CHECK (valid_to IS NULL OR valid_to > valid_from);

-- Direct consumption and allocated indirect consumption as one set of facts: what valuation
-- reads. Per month:
--   origin 'direct'    : fact_consumption rows of direct products, as loaded;
--   origin 'allocated' : an indirect pool's share for one application (rule, method, weights);
--   origin 'pool'      : an indirect pool no rule (or no key) could spread, under `unallocated`.
-- Quantities and costs of each (source, product, currency, unit) sum to the facts' exactly.
CREATE TABLE finops.allocated_consumption (
    month                 date NOT NULL,
    source                text NOT NULL,
    application_code      text NOT NULL,
    product_code          text NOT NULL,
    currency              text NOT NULL,
    unit                  text NOT NULL,
    quantity              numeric NOT NULL,
    source_cost           numeric NOT NULL,
    origin                text NOT NULL CHECK (origin IN ('direct', 'allocated', 'pool')),
    allocation_rule_code  text,
    method                text,
    weight                numeric,
    total_weight          numeric,
    CHECK ((origin = 'allocated') = (allocation_rule_code IS NOT NULL))
) PARTITION BY RANGE (month);
CREATE INDEX allocated_consumption_explain
    ON finops.allocated_consumption (month, application_code, product_code) WHERE origin <> 'direct';
