-- cost_by_product's family index becomes a BRIN index on the write order (issue 14, item 2).
--
-- Every index of cost_by_product is paid on every row a valuation writes (two views of 35,000
-- rows a month for 1M billing lines; docs/design.md section 10): the (view, family) B-tree cost
-- about a third of the index time. The rows are written in (view, family, product) order
-- (batch/value_month.sql), so each range of a few pages holds one view and one or two families:
-- a block-range index finds a family's rows as well, at a fraction of the cost to write and of
-- the size. Measured on 3 x 1M rows: one family of one view over 3 months read in 1.4-1.7 ms
-- (130 buffers) against 1.3 ms (84) by the B-tree. Family scopes of simulations read the
-- roll-ups anyway; this index serves a family filter on a by-product report.
--
-- The product and application B-trees stay: a product's rows are contiguous, but product codes
-- do not sort with their families, so a block-range index on the product reads 20-80 pages a
-- month for 2 (0.2 -> 1.6-2 ms for 3 months); applications are spread over every page.
DROP INDEX finops.cost_by_product_view_family;
CREATE INDEX cost_by_product_view_family ON finops.cost_by_product
    USING brin (pricing_view_code, family_code) WITH (pages_per_range = 8);
