"""A Google Cloud export saved as Parquet, with its nested records (invoice, usage, credits,
labels) as BigQuery has them, reads as the flattened CSV export does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from tests.pipeline import fact_total, latest_audit, query, run_month, source_kind


def _export(path: Path) -> None:
    label = pl.Struct({"key": pl.String, "value": pl.String})
    credit = pl.Struct({"name": pl.String, "amount": pl.Float64, "type": pl.String})
    pl.DataFrame(
        {
            "billing_account_id": ["A-1", "A-1"],
            "service": [{"id": "6F81", "description": "Compute Engine"}] * 2,
            "sku": [{"id": "CP-1", "description": "N2 core"}, {"id": "ST-1", "description": "PD capacity"}],
            "project": [{"id": "prj-1", "labels": [{"key": "app", "value": "payments"}]}] * 2,
            "labels": [[{"key": "env", "value": "prod"}], []],
            "cost": [0.10, 0.05],
            "currency": ["EUR", "EUR"],
            "usage": [
                {"amount": 7200.0, "unit": "seconds", "amount_in_pricing_units": 2.0, "pricing_unit": "hour"},
                {
                    "amount": 1073741824.0,
                    "unit": "byte-seconds",
                    "amount_in_pricing_units": 1.0,
                    "pricing_unit": "gibibyte month",
                },
            ],
            "credits": [[{"name": "CUD", "amount": -0.04, "type": "COMMITTED_USAGE_DISCOUNT"}], []],
            "invoice": [{"month": "202403"}] * 2,
            "cost_type": ["regular", "regular"],
        },
        schema_overrides={"labels": pl.List(label), "credits": pl.List(credit)},
    ).write_parquet(path)


def test_a_nested_parquet_export_loads_net_and_gross(mart_url: str, tmp_path: Path) -> None:
    export = tmp_path / "gcp.parquet"
    _export(export)
    month = date(2024, 3, 1)
    run_month(
        mart_url,
        tmp_path / "landing",
        month,
        source_kind("net", "gcp-billing", export, application_tag="app"),
        source_kind("gross", "gcp-billing", export, cost_column="gross", quantity="pricing"),
    )

    assert latest_audit(mart_url, "net", month) == (2, 2, 0)
    assert fact_total(mart_url, "net", month) == {"EUR": Decimal("0.11")}  # 0.10 - 0.04 + 0.05
    assert fact_total(mart_url, "gross", month) == {"EUR": Decimal("0.15")}
    lines = query(
        mart_url,
        "SELECT source, application_code, unit, quantity FROM finops.fact_consumption ORDER BY 1, 3",
    )
    assert lines == [
        ("gross", "unallocated", "gibibyte month", Decimal("1")),
        ("gross", "unallocated", "hour", Decimal("2")),
        ("net", "payments", "byte-seconds", Decimal("1073741824")),
        ("net", "payments", "seconds", Decimal("7200")),
    ]
