"""Every provider sample (tests/data/samples, SOURCES.md) through the real asset graph: the row
counts and exact totals SOURCES.md gives, each documented defect loaded or rejected naming its
column, and the conservation check passing for every source, month and currency."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_cli.report import run_report
from finops_core.config import PlatformConfig
from tests.conftest import SAMPLES
from tests.pipeline import audit_costs, fact_total, latest_audit, query, run_month, source_kind

AWS, AZURE, GCP = SAMPLES / "aws", SAMPLES / "azure", SAMPLES / "gcp"
FIXTURES = AZURE / "opencost_fixtures"
CUR = AWS / "sample-anonymous-aws-export-dataset.csv"
GCP_CREDITS = GCP / "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"
K8S = {"default_currency": "USD", "application_tag": "namespace"}

# (name, kind, file, options, month, (read, loaded, rejected), {currency: total in the mart})
CASES: list[tuple[str, str, Path, dict[str, Any], date, tuple[int, int, int], dict[str, str]]] = [
    ("cur_unblended", "aws-cur", CUR, {"cost_column": "unblended"},
     date(2023, 11, 1), (1281, 1281, 0), {"USD": "1.68230869740"}),
    ("cur_blended", "aws-cur", CUR, {"cost_column": "blended"},
     date(2023, 11, 1), (1281, 1281, 0), {"USD": "1.68230869740"}),
    # Savings Plan covered usage: billed 30 NOK, amortized to the plan's effective cost 0.3
    ("cur_sp_billed", "aws-cur", AWS / "2023-06-01.csv", {"cost_column": "unblended"},
     date(2023, 6, 1), (3, 3, 0), {"NOK": "30"}),
    ("cur_sp_amortized", "aws-cur", AWS / "2023-06-01.csv", {"cost_column": "amortized"},
     date(2023, 6, 1), (3, 3, 0), {"NOK": "0.3"}),
    ("cur2", "aws-cur", AWS / "2022-07-01-alt-columns.csv", {}, date(2022, 7, 1), (2, 2, 0), {"USD": "0"}),
    ("ea_actual", "azure-cost-details", AZURE / "EA_ActualCost_Small.csv", {},
     date(2023, 9, 1), (11, 11, 0), {"USD": "8.5450077867419368"}),
    ("ea_anon", "azure-cost-details", AZURE / "sample-anonymous-ea-export-dataset.csv", {},
     date(2023, 9, 1), (27, 27, 0), {"CAD": "1.26136926505726"}),
    ("ea_empty", "azure-cost-details", AZURE / "EA_NoRows.csv", {}, date(2023, 9, 1), (0, 0, 0), {}),
    ("mca", "azure-cost-details", AZURE / "camel_azure_version_2.csv", {},
     date(2023, 8, 1), (4, 4, 0), {"USD": "0.0000262412"}),
    ("az_german", "azure-cost-details", FIXTURES / "German.csv", {},
     date(2021, 2, 1), (1, 1, 0), {"USD": "0.075"}),
    ("az_camel", "azure-cost-details", FIXTURES / "EnterpriseCamel.csv", {},
     date(2021, 2, 1), (1, 1, 0), {"USD": "0.012"}),
    ("az_brackets", "azure-cost-details", FIXTURES / "MissingBrackets.csv", {"default_currency": "USD"},
     date(2021, 2, 1), (1, 1, 0), {"USD": "4"}),
    ("az_template", "azure-cost-details", FIXTURES / "Template.csv", {"default_currency": "USD"},
     date(2021, 2, 1), (87, 87, 0), {"USD": "16.393506212224391"}),
    ("gcp_net", "gcp-billing", GCP_CREDITS, {},
     date(2020, 11, 1), (25, 25, 0), {"USD": "0"}),
    ("gcp_gross", "gcp-billing", GCP_CREDITS,
     {"cost_column": "gross"}, date(2020, 11, 1), (25, 25, 0), {"USD": "0.000032"}),
    ("gcp_detailed", "gcp-billing", GCP / "2022-08-01_5.csv", {},
     date(2022, 8, 1), (9, 9, 0), {"USD": "0.000012"}),
    ("oci", "oci-cost-report", SAMPLES / "oci" / "reports_cost-csv_0000000030000269.csv", {},
     date(2023, 11, 1), (506, 506, 0), {"USD": "2.523589325400648027"}),
    # OpenCost: one line per resource charged (3 allocations: CPU, RAM, network, and a rounding
    # remainder of 0.00001 on `opencost`; 2 export days: CPU, RAM, network)
    ("k8s_allocation", "opencost", SAMPLES / "opencost" / "allocation-example-output.json",
     K8S, date(2023, 7, 1), (10, 10, 0), {"USD": "1.77816"}),
    ("k8s_export", "opencost", SAMPLES / "opencost" / "export-sample.csv",
     K8S, date(2023, 1, 1), (6, 6, 0), {"USD": "0.020987493472023010"}),
]  # fmt: skip


@pytest.mark.parametrize("month", sorted({case[4] for case in CASES}), ids=str)
def test_every_provider_sample_loads_with_its_documented_totals(
    mart_url: str, tmp_path: Path, month: date
) -> None:
    cases = [case for case in CASES if case[4] == month]
    run_month(mart_url, tmp_path, month, *(source_kind(n, k, p, **o) for n, k, p, o, *_ in cases))
    for name, _, _, _, _, rows, totals in cases:
        assert latest_audit(mart_url, name, month) == rows, name
        expected = {currency: Decimal(total) for currency, total in totals.items()}
        assert fact_total(mart_url, name, month) == expected, name
        assert audit_costs(mart_url, name, month) == (expected, {}), name


def test_azure_amortized_costs_beyond_18_places_are_rejected_naming_the_column(
    mart_url: str, tmp_path: Path
) -> None:
    month = date(2023, 9, 1)
    source = source_kind("ea", "azure-cost-details", AZURE / "EA_AmortizedCost_Small.csv")
    config = PlatformConfig(start_month="2020-01", sources=[source])
    result = materialize_month(config, month, MartResource(database_url=mart_url, landing_dir=str(tmp_path)))

    assert latest_audit(mart_url, "ea", month) == (28, 25, 3)
    [share] = [e for e in result.get_asset_check_evaluations() if e.check_name == "rejected_share"]
    assert (share.passed, share.metadata["rejected_by_column"].value) == (False, {"Cost": 3})
    # the file's own total is SOURCES.md's, exactly; the 3 rejected costs carry 22 to 28 places
    rejected = Decimal("0.0000000072922557592391990000") + Decimal("0.0000000191107392311096200000")
    rejected += Decimal("0.0001188669167459011366")
    assert audit_costs(mart_url, "ea", month) == (
        {"USD": Decimal("16.29693213663664462748541900")},
        {"USD": rejected},
    )
    assert fact_total(mart_url, "ea", month) == {"USD": Decimal("16.29681324331690373600000000")}
    reasons = query(mart_url, "SELECT DISTINCT column_name, left(reason, 34) FROM finops.rejected_row")
    assert reasons == [("Cost", "Cost: more than 18 decimal places:")]


def test_defects_are_rejected_with_the_provider_column(mart_url: str, tmp_path: Path) -> None:
    # BOM.csv: a data row empty but for its date; Template.csv without a default currency
    month = date(2021, 2, 1)
    run_month(
        mart_url,
        tmp_path,
        month,
        source_kind("az_template", "azure-cost-details", FIXTURES / "Template.csv"),
    )
    run_month(
        mart_url,
        tmp_path,
        date(2022, 11, 1),
        source_kind("az_bom", "azure-cost-details", FIXTURES / "BOM.csv"),
    )
    assert latest_audit(mart_url, "az_template", month) == (87, 0, 87)
    assert latest_audit(mart_url, "az_bom", date(2022, 11, 1)) == (1, 0, 1)
    reasons = query(
        mart_url, "SELECT source, column_name, reason, count(*) FROM finops.rejected_row GROUP BY 1, 2, 3"
    )
    assert sorted(reasons) == [
        ("az_bom", "Currency", "Currency: missing", 1),
        (
            "az_template",
            "BillingCurrency",
            "BillingCurrency: column missing and no default_currency configured",
            87,
        ),
    ]


def test_kubernetes_namespaces_are_applications_and_resources_keep_their_units(
    mart_url: str, tmp_path: Path
) -> None:
    month = date(2023, 7, 1)
    path = SAMPLES / "opencost" / "allocation-example-output.json"
    run_month(mart_url, tmp_path, month, source_kind("k8s", "opencost", path, **K8S))

    by_application = query(
        mart_url,
        "SELECT application_code, sum(source_cost) FROM finops.fact_consumption GROUP BY 1 ORDER BY 1",
    )
    # the allocations' totalCost (SOURCES.md: 1.52743 + 0.10937 + 0.14136)
    assert by_application == [
        ("kube-system", Decimal("1.52743")),
        ("opencost", Decimal("0.10937")),
        ("prometheus", Decimal("0.14136")),
    ]
    units = query(
        mart_url,
        "SELECT unit, sum(quantity) FROM finops.fact_consumption WHERE application_code = 'kube-system'"
        " GROUP BY 1 ORDER BY 1",
    )
    assert units == [
        ("byte-hours", Decimal("40855853856.91022")),
        ("bytes", Decimal("24490388368.48785")),
        ("core-hours", Decimal("75.55915")),
    ]
    # the cluster is a property of each allocation: the lines' SubAccountId
    assert query(mart_url, "SELECT DISTINCT sub_account_id FROM finops.fact_consumption") == [
        ("default-cluster",)
    ]


def test_an_allocation_without_its_window_is_placed_by_its_own_start(mart_url: str, tmp_path: Path) -> None:
    """OpenCost writes `start` beside `window`: an answer without the window (as some clients
    trim it) is placed by it, not rejected as undated."""
    document = json.loads((SAMPLES / "opencost" / "allocation-example-output.json").read_text())
    for allocation_set in document["data"]:
        for allocation in allocation_set.values():
            del allocation["window"]
    path = tmp_path / "bills" / "allocation.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document))
    month = date(2023, 7, 1)
    run_month(mart_url, tmp_path / "landing", month, source_kind("k8s", "opencost", path, **K8S))
    # 3 allocations: CPU, RAM and network lines each, and kube-system's rounding remainder
    assert latest_audit(mart_url, "k8s", month)[2] == 0
    assert fact_total(mart_url, "k8s", month) == {"USD": Decimal("1.77816")}  # 1.52743 + 0.10937 + 0.14136


def test_s3_usage_stays_in_its_own_units(mart_url: str, tmp_path: Path) -> None:
    month = date(2023, 11, 1)
    run_month(mart_url, tmp_path, month, source_kind("cur", "aws-cur", CUR, cost_column="unblended"))

    products = query(
        mart_url,
        "SELECT product_code, count(DISTINCT unit) FROM finops.fact_consumption"
        " WHERE product_code LIKE 'aws:amazon-simple-storage-service:%%' GROUP BY 1 ORDER BY 1",
    )
    # Requests, GB and GB-Mo are three products, one unit each, never one "mixed" sum
    assert products == [
        ("aws:amazon-simple-storage-service:gb", 1),
        ("aws:amazon-simple-storage-service:gb-mo", 1),
        ("aws:amazon-simple-storage-service:requests", 1),
    ]


def test_azure_cost_in_the_billing_or_the_pricing_currency(mart_url: str, tmp_path: Path) -> None:
    # the MCA sample billed in EUR at 0.9 EUR per USD (its own rows price and bill in USD)
    with (AZURE / "camel_azure_version_2.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["billingCurrency"] = "EUR"
        row["costInBillingCurrency"] = str(Decimal(row["costInPricingCurrency"]) * Decimal("0.9"))
    export = tmp_path / "mca.csv"
    with export.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    month = date(2023, 8, 1)
    run_month(
        mart_url,
        tmp_path / "landing",
        month,
        source_kind("billing", "azure-cost-details", export),
        source_kind("pricing", "azure-cost-details", export, cost_column="pricing_currency"),
    )

    # SOURCES.md: the costs add up to 0.0000262412 USD; 0.9 of it in EUR
    assert fact_total(mart_url, "billing", month) == {"EUR": Decimal("0.00002361708")}
    assert fact_total(mart_url, "pricing", month) == {"USD": Decimal("0.0000262412")}


def test_a_re_delivery_without_the_provider_s_cost_column_is_held_as_a_mandatory_column_missing(
    mart_url: str, tmp_path: Path
) -> None:
    # its rows were rejected as `line_item_unblended_cost: missing`, like empty cells, and the
    # delivery was held for its share of rejects instead
    bills = tmp_path / "cur"
    bills.mkdir()
    (bills / "cur.csv").write_bytes(CUR.read_bytes())
    month = date(2023, 11, 1)
    source = source_kind("cur", "aws-cur", bills, cost_column="unblended")
    run_month(mart_url, tmp_path / "landing", month, source)
    with CUR.open(newline="") as whole, (bills / "cur.csv").open("w", newline="") as cut:
        records = csv.DictReader(whole)
        kept = [name for name in records.fieldnames or [] if name != "lineItem/UnblendedCost"]
        writer = csv.DictWriter(cut, kept, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
    config = PlatformConfig(start_month="2020-01", sources=[source])
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    [failure] = run_report(materialize_month(config, month, mart, raise_on_error=False)).failures
    assert "unchanged: mandatory column missing: line_item_unblended_cost (1281 of 1281" in failure
    reasons = query(mart_url, "SELECT DISTINCT reason FROM finops.load_audit WHERE status = 'held'")
    assert reasons == [("mandatory column missing: line_item_unblended_cost (1281 of 1281 rows rejected; "
                        "the loaded month has 1281 lines)",)]  # fmt: skip
