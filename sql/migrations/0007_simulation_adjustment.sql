-- Simulation pricing views (kind 'simulation', with a base_view): evaluated on the fly by the
-- API from the base view's read-model rows and these adjustments, with no batch re-run.
--
-- Each adjustment applies, in position order, to the base view's cost_by_product rows in its
-- scope (the row's domain, family, product or application code) and months:
--   percent:  cost x (1 + value / 100)
--   absolute: cost + quantity x value
--   price:    quantity x value
-- Quantities never change. month_from and month_to are both INCLUSIVE (first and last months,
-- as the API's from/to are); NULL leaves that end open.
CREATE TABLE finops.simulation_adjustment (
    pricing_view_code  text NOT NULL REFERENCES finops.pricing_view,
    position           integer NOT NULL CHECK (position >= 0),
    scope_level        text NOT NULL CHECK (scope_level IN ('domain', 'family', 'product', 'application')),
    scope_code         text NOT NULL,
    month_from         date,
    month_to           date,
    kind               text NOT NULL CHECK (kind IN ('percent', 'absolute', 'price')),
    value              numeric NOT NULL,
    CHECK (month_from IS NULL OR month_to IS NULL OR month_from <= month_to),
    PRIMARY KEY (pricing_view_code, position)
);

-- Every adjustment maps a row's cost c to a x c + b x quantity, so a row's adjustments, folded
-- in order, are one such map: (a, b) -> (a x a', b x a' + b'). percent multiplies by
-- 1 + value x 0.01 rather than dividing by 100, so that no numeric division rounds it.
CREATE FUNCTION finops.simulation_step(factors numeric[], kind text, value numeric) RETURNS numeric[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE kind
               WHEN 'percent' THEN ARRAY[factors[1] * (1 + value * 0.01), factors[2] * (1 + value * 0.01)]
               WHEN 'absolute' THEN ARRAY[factors[1], factors[2] + value]
               WHEN 'price' THEN ARRAY[0, value]
           END
$$;

-- finops.simulation_factors(kind, value ORDER BY position) -> {a, b}; {1, 0} (no change) when
-- no adjustment applies.
CREATE AGGREGATE finops.simulation_factors(text, numeric) (
    SFUNC = finops.simulation_step,
    STYPE = numeric[],
    INITCOND = '{1,0}'
);

-- The API reads only the rows of a simulation's scopes from cost_by_product: by family, by
-- product, by application (view first: every read is of one view). A domain holds a large share
-- of the rows, which a scan of the month's partitions reads as fast as an index would.
CREATE INDEX cost_by_product_view_family ON finops.cost_by_product (pricing_view_code, family_code, month);
CREATE INDEX cost_by_product_view_product ON finops.cost_by_product (pricing_view_code, product_code, month);
CREATE INDEX cost_by_product_view_application
    ON finops.cost_by_product (pricing_view_code, application_code, month);
