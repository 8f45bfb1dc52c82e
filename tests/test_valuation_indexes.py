"""cost_by_product's block-range indexes: the product's a bloom filter (migration 0025), and every
range of a month summarized by its valuation."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from finops_assets.mart.allocation import allocate_month
from finops_assets.mart.read_models import value_month
from finops_assets.referentials.catalog import apply_catalog, read_catalog
from tests.test_allocation import CATALOG, FACTS, MARCH, Fact, insert_facts, write

# enough rows for several 8-page block ranges in each view (a range is summarized once whole)
MANY_FACTS: list[Fact] = [
    (MARCH, f"app-{n:04}", "vm-hours", "EUR", "hour", str(n), f"{n}.25") for n in range(1, 1501)
]

BRIN_INDEXES_OF_MONTH = (
    "SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid"
    " JOIN pg_am AS am ON am.oid = c.relam"
    " WHERE am.amname = 'brin'"
    " AND i.indrelid = (SELECT tableoid FROM finops.cost_by_product WHERE month = %s LIMIT 1)"
    " ORDER BY 1"
)


@pytest.fixture
def valued_march(mart_url: str, tmp_path: Path) -> str:
    apply_catalog(mart_url, read_catalog(write(tmp_path / "catalog", "catalog.yaml", CATALOG)), MARCH)
    insert_facts(mart_url, FACTS + MANY_FACTS)
    allocate_month(mart_url, MARCH)  # no rule: the pools stay as recorded
    value_month(mart_url, MARCH)
    return mart_url


def test_the_valuation_leaves_no_block_range_unsummarized(valued_march: str) -> None:
    with psycopg.connect(valued_march) as conn:
        indexes = [name for (name,) in conn.execute(BRIN_INDEXES_OF_MONTH, [MARCH]).fetchall()]
        assert indexes == [
            "cost_by_product_2025_03_pricing_view_code_family_code_idx",
            "cost_by_product_2025_03_pricing_view_code_product_code_idx",
        ]
        pages = conn.execute("SELECT pg_relation_size('finops.cost_by_product_2025_03') / 8192").fetchone()
        assert pages is not None and pages[0] >= 16
        # value_month summarized every whole range: summarizing again finds nothing new
        summarized = [
            conn.execute("SELECT brin_summarize_new_values(%s::regclass)", [f"finops.{name}"]).fetchone()
            for name in indexes
        ]
        assert summarized == [(0,), (0,)]


def test_the_product_index_is_a_bloom_filter_of_each_block_range(mart_url: str) -> None:
    with psycopg.connect(mart_url) as conn:
        row = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'finops' AND indexname = %s",
            ["cost_by_product_view_product"],
        ).fetchone()
    assert row == (
        "CREATE INDEX cost_by_product_view_product ON ONLY finops.cost_by_product USING brin"
        " (pricing_view_code, product_code text_bloom_ops) WITH (pages_per_range='8')",
    )
