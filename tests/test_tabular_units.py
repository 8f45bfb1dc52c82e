"""The tabular connector with a unit per line, provider month notations, and source columns
named like the facts' own (`currency`, `unit`): a GCP export mapped by hand loads exactly."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import polars as pl
import pytest

from finops_assets.sources.tabular.normalize import normalize_tabular, tabular_facts
from finops_assets.sources.tabular.reader import month_of
from finops_core.config import SourceConfig
from finops_core.tabular import TabularMapping
from tests.conftest import SAMPLES
from tests.pipeline import audit_costs, latest_audit, query, run_month

GCP = SAMPLES / "gcp" / "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("202011", "2020-11"),  # GCP invoice.month
        ("09/30/2023", "2023-09"),  # Azure EA, MM/DD/YYYY
        ("9/1/2023", "2023-09"),
        ("45292", "2024-01"),  # an Excel serial day: 2024-01-01
        ("45351.75", "2024-02"),  # 2024-02-29, 18:00
        ("13/01/2023", None),  # day first is not a US date
        ("202013", None),
    ],
)
def test_month_notations(value: str, month: str | None) -> None:
    assert month_of(value) == month


def test_a_gcp_export_through_tabular_with_its_own_currency_and_unit_columns(
    mart_url: str, tmp_path: Path
) -> None:
    mapping = {
        "month": {"column": "invoice.month"},
        "application": {"column": "project.id"},
        "product": {"column": "sku.description"},
        "quantity": {"column": "usage.amount"},
        "unit": {"column": "usage.unit"},
        "cost": {"column": "cost"},
        "currency": {"column": "currency"},
    }
    source = SourceConfig(
        name="gcp", kind="tabular", path=str(GCP), mapping=msgspec.convert(mapping, TabularMapping)
    )
    month = date(2020, 11, 1)
    run_month(mart_url, tmp_path, month, source)  # the conservation checks pass, per unit too

    assert latest_audit(mart_url, "gcp", month) == (25, 25, 0)
    assert audit_costs(mart_url, "gcp", month) == ({"USD": Decimal("0.000032")}, {})
    expected: dict[str, Decimal] = defaultdict(Decimal)
    with GCP.open(newline="") as handle:
        for row in csv.DictReader(handle):
            expected[row["usage.unit"]] += Decimal(row["usage.amount"])
    quantities = query(mart_url, "SELECT unit, sum(quantity) FROM finops.fact_consumption GROUP BY 1")
    assert (
        dict(quantities)
        == expected
        == {"bytes": Decimal("42121035"), "byte-seconds": Decimal("2161873256448")}
    )


def test_a_product_in_several_units_is_rejected_naming_them() -> None:
    raw = pl.DataFrame(
        {
            "day": ["2026-10-01"] * 4,
            "sku": ["storage", "storage", "requests", "storage"],
            "qty": ["10", "3", "1000", "1"],
            "measure": ["GB", "GB-Mo", "Requests", "GB"],
            "unit": ["x", "y", "z", "w"],  # the export's own column of that name
        }
    ).with_columns(
        pl.int_range(1, 5, dtype=pl.UInt32).alias("_line"),
        pl.lit("f.csv").alias("_file"),
        pl.lit("2026-10").alias("_month"),
    )
    mapping = msgspec.convert(
        {
            "month": {"column": "day"},
            "application": {"constant": "shared"},
            "product": {"column": "sku"},
            "quantity": {"column": "qty"},
            "unit": {"column": "measure"},
            "currency": "EUR",
        },
        TabularMapping,
    )
    month = normalize_tabular(raw, mapping)

    reason = "measure: product 'storage' comes in several units (GB, GB-Mo); give each unit its own product"
    assert month.rejects.select("_line", "column", "reason").rows() == [
        (1, "measure", reason),
        (2, "measure", reason),
        (4, "measure", reason),
    ]
    facts, products = tabular_facts(month.lines, "tool")
    assert products.rows() == [("requests", "requests", "tool", "tool", "Requests", False)]
    assert facts.select("product_code", "unit", "quantity").rows() == [
        ("requests", "Requests", Decimal("1000"))
    ]
    assert month.source_quantity == {"GB": Decimal("11"), "GB-Mo": Decimal("3"), "Requests": Decimal("1000")}


def test_source_columns_named_like_the_facts_own_never_clash() -> None:
    """Every fact column name as a source column, some mapped, some not: the facts hold the
    mapped values (the constants where the mapping says so), never the record's columns."""
    names = ["currency", "unit", "region_id", "sub_account_id", "application_code", "product_code"]
    names += ["quantity", "source_cost", "line_count"]
    raw = pl.DataFrame(
        {name: [f"{name}-1", f"{name}-2"] for name in names}
        | {"d": ["2026-10", "2026-10"], "q": ["1.5", "2"], "c": ["0.10", "0.20"]}
    ).with_columns(
        pl.Series("_line", [1, 2], dtype=pl.UInt32),
        pl.lit("f.csv").alias("_file"),
        pl.lit("2026-10").alias("_month"),
    )
    mapping = msgspec.convert(
        {
            "month": {"column": "d"},
            "application": {"column": "application_code"},
            "product": {"column": "product_code"},
            "region": {"column": "region_id"},
            "quantity": {"column": "q"},
            "cost": {"column": "c"},
            "unit": "GB",
            "currency": "EUR",
        },
        TabularMapping,
    )
    month = normalize_tabular(raw, mapping)
    facts, _ = tabular_facts(month.lines, "tool")

    assert month.rejects.height == 0
    assert facts.rows() == [
        (
            "application_code-1",
            "product_code-1",
            "",
            "region_id-1",
            "EUR",
            "GB",
            Decimal("1.5"),
            Decimal("0.10"),
            1,
        ),
        (
            "application_code-2",
            "product_code-2",
            "",
            "region_id-2",
            "EUR",
            "GB",
            Decimal("2"),
            Decimal("0.20"),
            1,
        ),
    ]
