"""The two worked tabular examples (examples/), materialized into a real mart, against the
totals computed by hand in examples/README.md."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from finops_core.config import PlatformConfig, load_config
from finops_core.deliveries import DeliveryRules
from tests.pipeline import fact_total, latest_audit, mart_snapshot, query, run_config_month

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
D = Decimal


@pytest.fixture
def examples(tmp_path: Path) -> PlatformConfig:
    """The examples as shipped, copied so a test may change their files."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return load_config(tmp_path / "examples" / "finops.yaml")


def quantities(url: str, source: str, month: date) -> dict[tuple[str, str], tuple[Decimal, Decimal, int]]:
    """(application, product) -> (quantity, cost, lines), regions summed."""
    rows = query(
        url,
        "SELECT application_code, product_code, sum(quantity), sum(source_cost), sum(line_count)"
        "  FROM finops.fact_consumption WHERE source = %s AND month = %s GROUP BY 1, 2",
        source,
        month,
    )
    return {(app, product): (quantity, cost, lines) for app, product, quantity, cost, lines in rows}


def rejects(url: str, source: str, month: date) -> list[tuple[str, int, str, str]]:
    rows = query(
        url,
        "SELECT file, line_number, column_name, reason FROM finops.rejected_row"
        " WHERE source = %s AND month = %s ORDER BY file, line_number",
        source,
        month,
    )
    return [(Path(file).name, line, column, reason) for file, line, column, reason in rows]


def test_private_cloud_vm_inventory_reconciles_exactly(
    mart_url: str, tmp_path: Path, examples: PlatformConfig
) -> None:
    landing = tmp_path / "landing"
    for month in (SEPTEMBER, OCTOBER):
        checks = run_config_month(mart_url, landing, month, examples)
        assert {
            "private_cloud/consumption:conservation",
            "private_cloud/consumption:nothing_lost",
            "private_cloud/consumption:quantity_conservation",
        } <= set(checks)

    # September: 12 VMs, 2 rejected; 19 standard + 32 high-memory vCPUs loaded
    assert latest_audit(mart_url, "private_cloud", SEPTEMBER) == (12, 10, 2)
    assert quantities(mart_url, "private_cloud", SEPTEMBER) == {
        ("payments", "pc-vcpu-standard"): (D("10"), D("184.00"), 3),
        ("payments", "pc-vcpu-highmem"): (D("8"), D("208.80"), 1),
        ("search", "pc-vcpu-highmem"): (D("16"), D("417.60"), 1),
        ("search", "pc-vcpu-standard"): (D("4"), D("73.60"), 2),
        ("crm", "pc-vcpu-standard"): (D("4"), D("73.60"), 1),
        ("data-warehouse", "pc-vcpu-highmem"): (D("8"), D("208.80"), 1),
        ("unallocated", "pc-vcpu-standard"): (D("1"), D("18.40"), 1),
    }
    assert fact_total(mart_url, "private_cloud", SEPTEMBER) == {"EUR": D("1184.80")}
    assert rejects(mart_url, "private_cloud", SEPTEMBER) == [
        ("vm-inventory-2026-09.csv", 11, "vcpus", "vcpus: not a number: 'four'"),
        ("vm-inventory-2026-09.csv", 12, "tier", "tier: missing"),
    ]

    # October: 13 rows, 2 rejected; 19 standard + 48 high-memory vCPUs loaded
    assert latest_audit(mart_url, "private_cloud", OCTOBER) == (13, 11, 2)
    assert quantities(mart_url, "private_cloud", OCTOBER) == {
        ("payments", "pc-vcpu-standard"): (D("6"), D("110.40"), 2),
        ("payments", "pc-vcpu-highmem"): (D("8"), D("208.80"), 1),
        ("search", "pc-vcpu-highmem"): (D("24"), D("626.40"), 1),
        ("search", "pc-vcpu-standard"): (D("4"), D("73.60"), 2),
        ("crm", "pc-vcpu-standard"): (D("8"), D("147.20"), 2),
        ("data-warehouse", "pc-vcpu-highmem"): (D("16"), D("417.60"), 2),
        ("unallocated", "pc-vcpu-standard"): (D("1"), D("18.40"), 1),
    }
    assert fact_total(mart_url, "private_cloud", OCTOBER) == {"EUR": D("1602.40")}
    assert rejects(mart_url, "private_cloud", OCTOBER) == [
        ("vm-inventory-2026-10.csv", 12, "chargeback_eur", "chargeback_eur: not a number: '18,40'"),
        ("vm-inventory-2026-10.csv", 13, "snapshot_date", "snapshot_date: not a date: 'n/a'"),
    ]

    # The audit keeps the files' own totals: mart + rejected = file, per currency, exactly.
    # ('18,40' is not a number: it is in neither total.)
    audits = query(
        mart_url,
        "SELECT month, source_cost, rejected_cost, cost_column FROM finops.load_audit"
        " WHERE source = 'private_cloud' ORDER BY month",
    )
    assert audits == [
        (SEPTEMBER, {"EUR": "1295.2"}, {"EUR": "110.4"}, "chargeback_eur"),
        (OCTOBER, {"EUR": "1639.2"}, {"EUR": "36.8"}, "chargeback_eur"),
    ]
    manifest = json.loads((landing / "private_cloud" / "2026-10" / "manifest.json").read_text())
    assert (manifest["source_quantity"], manifest["rejected_quantity"]) == (
        {"vCPU-month": "70"},
        {"vCPU-month": "3"},
    )

    # Valued as the chargeback said, under the catalog's family and domain
    valued = query(
        mart_url,
        "SELECT product_code, domain_code, family_code, unit, sum(quantity), sum(cost)"
        "  FROM finops.cost_by_product"
        " WHERE source = 'private_cloud' AND month = %s AND pricing_view_code = 'actual'"
        " GROUP BY 1, 2, 3, 4 ORDER BY 1",
        OCTOBER,
    )
    assert valued == [
        ("pc-vcpu-highmem", "private-cloud", "private-compute", "vCPU-month", D("48"), D("1252.80")),
        ("pc-vcpu-standard", "private-cloud", "private-compute", "vCPU-month", D("19"), D("349.60")),
    ]


def test_observability_ingestion_reconciles_exactly_on_quantities(
    mart_url: str, tmp_path: Path, examples: PlatformConfig
) -> None:
    landing = tmp_path / "landing"
    for month in (SEPTEMBER, OCTOBER):
        checks = run_config_month(mart_url, landing, month, examples)
        assert "observability/consumption:quantity_conservation" in checks

    assert latest_audit(mart_url, "observability", SEPTEMBER) == (12, 10, 2)
    assert quantities(mart_url, "observability", SEPTEMBER) == {
        ("payments", "obs-log-ingestion"): (D("412.5"), D(0), 1),
        ("payments", "obs-metric-ingestion"): (D("38.25"), D(0), 1),
        ("payments", "obs-trace-ingestion"): (D("120"), D(0), 1),
        ("search", "obs-log-ingestion"): (D("1024.75"), D(0), 1),
        ("search", "obs-metric-ingestion"): (D("64.5"), D(0), 1),
        ("crm", "obs-log-ingestion"): (D("88.125"), D(0), 1),
        ("data-warehouse", "obs-log-ingestion"): (D("256"), D(0), 1),
        ("data-warehouse", "obs-trace-ingestion"): (D("42.5"), D(0), 1),
        ("platform", "obs-metric-ingestion"): (D("310.4"), D(0), 1),
        ("unallocated", "obs-log-ingestion"): (D("15.6"), D(0), 1),
    }
    assert rejects(mart_url, "observability", SEPTEMBER) == [
        ("ingestion-2026-09.jsonl", 11, "gb_ingested", "gb_ingested: not a number: 'n/a'"),
        ("ingestion-2026-09.jsonl", 12, "signal", "signal: missing"),
    ]

    assert latest_audit(mart_url, "observability", OCTOBER) == (12, 10, 2)
    assert quantities(mart_url, "observability", OCTOBER) == {
        ("payments", "obs-log-ingestion"): (D("455"), D(0), 1),
        ("payments", "obs-metric-ingestion"): (D("40.75"), D(0), 1),
        ("payments", "obs-trace-ingestion"): (D("131.2"), D(0), 1),
        ("search", "obs-log-ingestion"): (D("998.5"), D(0), 1),
        ("search", "obs-metric-ingestion"): (D("66"), D(0), 1),
        ("search", "obs-trace-ingestion"): (D("12.25"), D(0), 1),
        ("crm", "obs-log-ingestion"): (D("102.375"), D(0), 1),
        ("data-warehouse", "obs-log-ingestion"): (D("301.5"), D(0), 1),
        ("platform", "obs-metric-ingestion"): (D("322.6"), D(0), 1),
        ("unallocated", "obs-log-ingestion"): (D("9.4"), D(0), 1),
    }
    # line numbers are the file's own: October has a blank line 8
    assert rejects(mart_url, "observability", OCTOBER) == [
        ("ingestion-2026-10.jsonl", 12, "gb_ingested", "gb_ingested: missing"),
        ("ingestion-2026-10.jsonl", 13, "gb_ingested", "gb_ingested: not a number: '12 GB'"),
    ]

    by_product = query(
        mart_url,
        "SELECT month, product_code, sum(quantity) FROM finops.fact_consumption"
        " WHERE source = 'observability' GROUP BY 1, 2 ORDER BY 1, 2",
    )
    assert by_product == [
        (SEPTEMBER, "obs-log-ingestion", D("1796.975")),
        (SEPTEMBER, "obs-metric-ingestion", D("413.15")),
        (SEPTEMBER, "obs-trace-ingestion", D("162.5")),
        (OCTOBER, "obs-log-ingestion", D("1866.775")),
        (OCTOBER, "obs-metric-ingestion", D("429.35")),
        (OCTOBER, "obs-trace-ingestion", D("143.45")),
    ]
    # No cost column: no money in the audit, quantities conserved per unit in the manifest
    audits = query(
        mart_url,
        "SELECT month, source_cost, rejected_cost FROM finops.load_audit"
        " WHERE source = 'observability' ORDER BY 1",
    )
    assert audits == [(SEPTEMBER, {}, {}), (OCTOBER, {}, {})]
    manifests = [
        json.loads((landing / "observability" / month / "manifest.json").read_text())
        for month in ("2026-09", "2026-10")
    ]
    assert [(m["source_quantity"], m["rejected_quantity"]) for m in manifests] == [
        ({"GB": "2380.125"}, {"GB": "7.5"}),
        ({"GB": "2439.575"}, {}),
    ]
    # valued at 0 in the actual view until a rate card prices it, under the catalog's family
    valued = query(
        mart_url,
        "SELECT domain_code, family_code, currency, sum(quantity), sum(cost) FROM finops.cost_by_product"
        " WHERE source = 'observability' AND month = %s AND pricing_view_code = 'actual' GROUP BY 1, 2, 3",
        SEPTEMBER,
    )
    assert valued == [("shared-tooling", "observability", "EUR", D("2372.625"), D(0))]


def test_examples_are_idempotent_and_a_month_without_files_empties(
    mart_url: str, tmp_path: Path, examples: PlatformConfig
) -> None:
    landing = tmp_path / "landing"
    run_config_month(mart_url, landing, OCTOBER, examples)
    first = mart_snapshot(mart_url)
    run_config_month(mart_url, landing, OCTOBER, examples)
    assert mart_snapshot(mart_url) == first

    # The October inventory is withdrawn, and declared so: its month loads as an empty slice
    (examples.base_dir / "private-cloud" / "inventory" / "vm-inventory-2026-10.csv").unlink()
    withdrawn = DeliveryRules(empty_months=["2026-10"])
    sources = [
        msgspec.structs.replace(s, delivery=withdrawn) if s.name == "private_cloud" else s
        for s in examples.sources
    ]
    run_config_month(mart_url, landing, OCTOBER, msgspec.structs.replace(examples, sources=sources))
    assert latest_audit(mart_url, "private_cloud", OCTOBER) == (0, 0, 0)
    assert quantities(mart_url, "private_cloud", OCTOBER) == {}
    assert rejects(mart_url, "private_cloud", OCTOBER) == []
    assert latest_audit(mart_url, "observability", OCTOBER) == (12, 10, 2)
