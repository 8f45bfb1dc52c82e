"""Kinds recognised from the headers: `kind: auto`, a file declared under a wrong kind refused
in one line, a folder mixing formats refused with its files per format, and a provider's month
re-delivered replacing that month only."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finops_assets.sources.detect import detect, header, resolve_kind
from finops_cli.main import main
from finops_core.config import ConfigError, PlatformConfig, SourceConfig, validate
from tests.conftest import SAMPLES
from tests.pipeline import fact_total, latest_audit, run_month, source_kind

CUR = SAMPLES / "aws" / "sample-anonymous-aws-export-dataset.csv"
CUR_SP = SAMPLES / "aws" / "2023-06-01.csv"
ONE_OF_EACH = (
    CUR,
    SAMPLES / "azure" / "EA_ActualCost_Small.csv",
    SAMPLES / "focus" / "focus_sample.csv",
    SAMPLES / "gcp" / "2022-08-01_5.csv",
    SAMPLES / "derived" / "gcp" / "2022-08-01_5.json",
    SAMPLES / "oci" / "reports_cost-csv_0000000030000269.csv",
    SAMPLES / "opencost" / "allocation-example-output.json",
    SAMPLES / "opencost" / "export-sample.csv",
)


def _expected_kind(path: Path) -> str | None:
    parts = path.relative_to(SAMPLES).parts
    folder = parts[1] if parts[0] == "derived" else parts[0]
    if path.name == "cloudCost-example-output.json":
        return None  # cloud costs: the providers' own exports carry them
    return {
        "aws": "aws-cur",
        "azure": "azure-cost-details",
        "gcp": "gcp-billing",
        "oci": "oci-cost-report",
        "opencost": "opencost",
        "focus": "focus",
    }[folder]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".csv", ".json") and "reference" not in p.parts),
    ids=lambda p: str(p.relative_to(SAMPLES)),
)
def test_every_sample_is_recognised_from_its_header(path: Path) -> None:
    assert detect(header(path)) == _expected_kind(path)


def test_a_cur_declared_focus_is_refused_in_one_line_by_the_cli(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(f"start_month: '2023-01'\nsources:\n  - {{name: aws, kind: focus, path: '{CUR}'}}\n")
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))

    assert main(["materialize", "--month", "2023-11"]) == 2
    # the progress line, then the diagnosis: no traceback
    assert capsys.readouterr().err.strip().splitlines() == [
        "2023-11: materializing aws ...",
        f"finops: error: {CUR}: declared kind: focus,"
        " but it looks like an AWS Cost and Usage Report (kind: aws-cur):"
        " its header has identity/LineItemId, bill/BillingPeriodStartDate, lineItem/LineItemType;"
        " set kind: aws-cur (or kind: auto)",
    ]


def test_a_mixed_folder_is_refused_with_its_files_per_format(mart_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for path in (*ONE_OF_EACH, CUR_SP):
        shutil.copy(path, folder)

    with pytest.raises(ConfigError) as error:
        run_month(mart_url, tmp_path / "landing", date(2023, 11, 1), source_kind("mixed", "auto", folder))
    assert str(error.value) == (
        "kind auto: the files are of several formats, declare one source per format:"
        " aws-cur: 2023-06-01.csv, sample-anonymous-aws-export-dataset.csv;"
        " azure-cost-details: EA_ActualCost_Small.csv; focus: focus_sample.csv;"
        " gcp-billing: 2022-08-01_5.csv, 2022-08-01_5.json;"
        " oci-cost-report: reports_cost-csv_0000000030000269.csv;"
        " opencost: allocation-example-output.json, export-sample.csv"
    )


# what each format's file is said to look like, under another kind than its own
DIAGNOSES = [
    "an AWS Cost and Usage Report (kind: aws-cur): its header has identity/LineItemId,"
    " bill/BillingPeriodStartDate, lineItem/LineItemType; set kind: aws-cur",
    "an Azure cost details export (kind: azure-cost-details): its header has BillingPeriodStartDate,"
    " MeterId, MeterCategory; set kind: azure-cost-details",
    "a FOCUS file (kind: focus): its header has BilledCost, BillingPeriodStart, ChargeCategory;"
    " set kind: focus",
    *[
        "a Google Cloud billing export (kind: gcp-billing): its header has billing_account_id,"
        " service.description, sku.description; set kind: gcp-billing"
    ]
    * 2,
    "an Oracle Cloud cost report (kind: oci-cost-report): its header has lineItem/intervalUsageStart,"
    " product/compartmentId, usage/billedQuantity; set kind: oci-cost-report",
    "an OpenCost allocation export (kind: opencost): its header has cpuCoreHours, cpuCost,"
    " ramByteHours; set kind: opencost",
    "an OpenCost allocation export (kind: opencost): its header has Namespace, CPUCost, RAMCost;"
    " set kind: opencost",
]


@pytest.mark.parametrize(
    ("path", "diagnosis"), zip(ONE_OF_EACH, DIAGNOSES, strict=True), ids=lambda p: str(p)[-24:]
)
def test_a_file_under_another_kind_is_named_in_one_line(path: Path, diagnosis: str) -> None:
    declared = "oci-cost-report" if path == CUR else "aws-cur"
    with pytest.raises(ConfigError) as error:
        resolve_kind([path], declared)
    assert (
        str(error.value)
        == f"{path}: declared kind: {declared}, but it looks like {diagnosis} (or kind: auto)"
    )


def test_kind_auto_reads_a_folder_of_one_format_with_that_kinds_defaults(
    mart_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "gcp"
    shutil.copytree(SAMPLES / "gcp", folder)
    november, august = date(2020, 11, 1), date(2022, 8, 1)
    for month in (november, august):
        run_month(mart_url, tmp_path / "landing", month, source_kind("gcp", "auto", folder))

    # net of the free-trial credits (SOURCES.md: cost 0.000032, credits -0.000032)
    assert fact_total(mart_url, "gcp", november) == {"USD": Decimal("0")}
    assert fact_total(mart_url, "gcp", august) == {"USD": Decimal("0.000012")}
    assert latest_audit(mart_url, "gcp", november) == (25, 25, 0)


def test_kind_auto_reads_focus_files_as_the_focus_connector(mart_url: str, tmp_path: Path) -> None:
    september = date(2024, 9, 1)
    path = SAMPLES / "focus" / "focus_sample.csv"
    run_month(mart_url, tmp_path, september, source_kind("sample", "auto", path, cost_column="BilledCost"))

    # SOURCES.md: BillingPeriodStart 2024-09-01, 999 rows, BilledCost 20.28022672899
    assert latest_audit(mart_url, "sample", september) == (999, 999, 0)
    assert fact_total(mart_url, "sample", september) == {"USD": Decimal("20.28022672899")}


def test_a_redelivered_cur_month_replaces_that_month_only(mart_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "cur"
    folder.mkdir()
    shutil.copy(CUR, folder)
    shutil.copy(CUR_SP, folder / "2023-06.csv")
    june, november = date(2023, 6, 1), date(2023, 11, 1)
    source = source_kind("cur", "aws-cur", folder, cost_column="unblended")
    for month in (june, november):
        run_month(mart_url, tmp_path / "landing", month, source)

    # AWS re-delivers June: every unblended cost doubled (10 -> 20 NOK on each of 3 lines)
    with (folder / "2023-06.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("lineItem/UnblendedCost")
    for row in rows[1:]:
        row[column] = str(Decimal(row[column]) * 2)
    with (folder / "2023-06.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    run_month(mart_url, tmp_path / "landing", june, source)

    assert fact_total(mart_url, "cur", june) == {"NOK": Decimal("60")}
    assert fact_total(mart_url, "cur", november) == {"USD": Decimal("1.68230869740")}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "aws-cur", "cost_column": "gross"},
         "sources[0].cost_column: 'gross' is not a cost of kind aws-cur;"
         " expected one of EffectiveCost, BilledCost, amortized, unblended, blended, net"),
        ({"kind": "focus", "cost_column": "net"},
         "sources[0].cost_column: 'net' is not a cost of kind focus;"
         " expected one of EffectiveCost, BilledCost"),
        ({"kind": "opencost"},
         "sources[0].default_currency: required for kind opencost (it has no currency)"),
        ({"kind": "auto", "quantity": "consumed"}, "sources[0].quantity: only for a provider's own kind"),
    ],
)  # fmt: skip
def test_provider_kind_options_are_checked(entry: dict[str, str], message: str) -> None:
    source = SourceConfig(name="s", path="x", **entry)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as error:
        validate(PlatformConfig(sources=[source]))
    assert message in str(error.value)


def test_an_opencost_cloud_cost_response_is_refused_in_one_line(mart_url: str, tmp_path: Path) -> None:
    path = SAMPLES / "opencost" / "cloudCost-example-output.json"
    source = source_kind("k8s", "opencost", path, default_currency="USD")
    with pytest.raises(ConfigError) as error:
        run_month(mart_url, tmp_path, date(2023, 10, 1), source)
    assert str(error.value) == (
        f"{path}: neither an OpenCost /allocation response nor a Google Cloud billing export"
        " in JSON lines, the only JSON read (cloud costs come from the providers' own exports)"
    )
