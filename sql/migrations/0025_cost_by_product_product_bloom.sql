-- cost_by_product's product index becomes a block-range (BRIN) index with a bloom filter on the
-- product: the second B-tree that every valuation row paid for.
--
-- Each B-tree of cost_by_product costs a valuation about 0.08 s of database CPU per 35,000 rows
-- (one view of a 1M-line month), as much as the rest of its INSERT. A product's rows are
-- contiguous (batch/value_month.sql writes them in (view, family, product) order), but product
-- codes do not sort with their families, so a min/max range per block range matched 20-80 pages
-- a month for 2 products (migration 0017). A bloom filter answers equality only, which is all a
-- product scope or filter asks (product_code = ANY(...)), and it does not care about the order:
-- each 8-page range holds a few products, so 2 products over 3 months read 8 heap pages a month
-- (1.45 ms against 1.37 ms by the B-tree, benchmarks/RESULTS.md), and writing it costs a
-- fraction of a B-tree. batch/value_month.sql summarizes the month's new ranges as it writes them.
DROP INDEX finops.cost_by_product_view_product;
CREATE INDEX cost_by_product_view_product ON finops.cost_by_product
    USING brin (pricing_view_code, product_code text_bloom_ops) WITH (pages_per_range = 8);
