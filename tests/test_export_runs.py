"""Export runs written side by side for a billing period (AWS report versions, Azure export
runs): the latest alone is read, so a synced bucket does not count its month once per run."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import polars as pl
import pytest

from finops_assets.sources.assets import export_runs_line
from finops_assets.sources.export_runs import Superseded
from finops_assets.sources.files import SUPPORTED_SUFFIXES, left_out_files, source_files, superseded_runs
from finops_assets.sources.listing import one_listing
from finops_core.config import SourceConfig
from finops_core.months import parse_month
from finops_core.tabular import TabularMapping
from tests.conftest import SAMPLES
from tests.pipeline import audit_costs, fact_total, latest_audit, run_month, source_kind

CUR = SAMPLES / "aws" / "sample-anonymous-aws-export-dataset.csv"
EA = SAMPLES / "azure" / "EA_ActualCost_Small.csv"
ASSEMBLY_A = "0b8e4a2c-3f41-4d6e-9a1b-5c7d8e9f0a1b"
ASSEMBLY_B = "9f1e2d3c-4b5a-4697-8877-665544332211"
RUN_1 = "5D0C0D1E-0B61-4C47-A7B4-2F7F1A3C9E01"
RUN_2 = "7A9B3C4D-5E6F-4A1B-8C2D-3E4F5A6B7C8D"


def _file(path: Path, text: str = "x\n", mtime: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def _kept(superseded: Superseded) -> tuple[str | None, str]:
    return (superseded.kept.name if superseded.kept else None), superseded.why


def _azure_manifest(run: Path, submitted: str) -> None:
    document = {"manifestVersion": "2024-04-01", "runInfo": {"runId": run.name, "submittedTime": submitted}}
    (run / "manifest.json").write_text(json.dumps(document))


def test_the_run_an_aws_manifest_names_is_read_even_when_another_is_newer(tmp_path: Path) -> None:
    period = tmp_path / "cur" / "report" / "20231101-20231130"
    named = [_file(period / ASSEMBLY_A / f"report-{n}.csv.gz", mtime=1_700_000_000) for n in (1, 2)]
    newer = _file(period / ASSEMBLY_B / "report-1.csv.gz", mtime=1_700_090_000)
    (period / "report-Manifest.json").write_text(json.dumps({"assemblyId": ASSEMBLY_A, "reportKeys": []}))
    (period / ".old-Manifest.json").write_text(json.dumps({"assemblyId": ASSEMBLY_B}))  # hidden: not read
    assert source_files(tmp_path / "cur") == named
    [superseded] = superseded_runs(tmp_path / "cur")
    assert _kept(superseded) == (ASSEMBLY_A, "named by the period's manifest")
    assert [run.files for run in superseded.left_out] == [(newer,)]


def test_an_azure_run_submitted_last_is_read_whatever_its_files_times(tmp_path: Path) -> None:
    period = tmp_path / "exports" / "costs" / "20230901-20230930"
    last = _file(period / RUN_1 / "part_0_0001.csv", mtime=1_690_000_000)
    _file(period / RUN_2 / "part_0_0001.csv", mtime=1_699_000_000)
    _azure_manifest(period / RUN_1, "2023-09-29T06:12:32.1234567+02:00")  # seven digits, as .NET writes
    _azure_manifest(period / RUN_2, "2023-09-29T04:11:02Z")  # later written, earlier in UTC
    assert source_files(tmp_path / "exports") == [last]
    [superseded] = superseded_runs(tmp_path / "exports")
    assert _kept(superseded) == (RUN_1, "submitted last, its manifest.json")


def test_azure_runs_under_their_export_time_are_told_apart_by_it(tmp_path: Path) -> None:
    """The FinOps toolkit's layout: `<range>/<yyyyMMddHHmm>/[<run id>/]<file>`."""
    period = tmp_path / "exports" / "20240101-20240131"
    _file(period / "202401100300" / RUN_1 / "part_0_0001.csv", mtime=1_800_000_000)
    latest = _file(period / "202401110300" / "part_0_0001.csv", mtime=1_700_000_000)
    assert source_files(tmp_path / "exports") == [latest]
    [superseded] = superseded_runs(tmp_path / "exports")
    assert _kept(superseded) == ("202401110300", "exported last, its folder's time")


def test_one_run_reads_one_listing_of_the_folder(tmp_path: Path) -> None:
    """Within billing_lines (listing.one_listing), the files read, the runs superseded and the
    files left out are one listing: a run and a stray file arriving during it are in none of
    them, then in all of them at the next run."""
    period = tmp_path / "exports" / "20240101-20240131"
    first = _file(period / "202401100300" / "part_0_0001.csv")
    with one_listing():
        assert source_files(tmp_path / "exports") == [first]
        later = _file(period / "202401110300" / "part_0_0001.csv")
        _file(period / "notes.xlsx")
        assert superseded_runs(tmp_path / "exports") == []
        assert left_out_files(tmp_path / "exports") == []
        assert source_files(tmp_path / "exports") == [first]
    assert source_files(tmp_path / "exports") == [later]
    assert [_kept(entry) for entry in superseded_runs(tmp_path / "exports")] == [
        ("202401110300", "exported last, its folder's time")
    ]
    assert left_out_files(tmp_path / "exports") == [period / "notes.xlsx"]


def test_without_manifests_the_run_with_the_newest_files_is_read(tmp_path: Path) -> None:
    """Older Azure exports write each run as a file of the period's folder; files without a run
    id there (a report's chunks, overwritten in place) are read whatever the runs."""
    period = tmp_path / "azure" / "20230901-20230930"
    _file(period / f"costs_{RUN_1}.csv", mtime=1_693_600_000)
    newest = _file(period / f"costs_{RUN_2}.csv", mtime=1_693_700_000)
    chunk = _file(period / "notes-1.csv", mtime=1_600_000_000)
    assert source_files(tmp_path / "azure") == [newest, chunk]
    assert source_files(tmp_path / "azure" / "**" / "*.csv") == [newest, chunk]  # a glob alike
    [superseded] = superseded_runs(tmp_path / "azure")
    assert _kept(superseded) == (f"costs_{RUN_2}.csv", "its files are the newest")


def test_a_run_under_its_export_time_is_whole_only_with_every_file_its_manifest_lists(tmp_path: Path) -> None:
    """`<range>/<yyyyMMddHHmm>/<run id>/manifest.json`: the latest run lacks a part its manifest
    lists, so the run before it is read; twelve digits that are no time (AWS accounts) are no run."""
    period = tmp_path / "exports" / "20240101-20240131"
    before = _file(period / "202401100300" / RUN_1 / "part_0_0001.csv")
    (period / "202401100300" / RUN_1 / "manifest.json").write_text(
        json.dumps({"blobs": [{"blobName": "x/part_0_0001.csv"}]})
    )
    _file(period / "202401110300" / RUN_2 / "part_0_0001.csv")
    parts = [{"blobName": f"x/part_0_000{n}.csv"} for n in (1, 2)]
    (period / "202401110300" / RUN_2 / "manifest.json").write_text(json.dumps({"blobs": parts}))
    accounts = [
        _file(tmp_path / "exports" / "20231101-20231201" / account / "cur-1.csv")
        for account in ("111122223333", "444455556666")
    ]
    assert source_files(tmp_path / "exports") == sorted([before, *accounts])
    [superseded] = superseded_runs(tmp_path / "exports")
    assert _kept(superseded) == ("202401100300", "the only complete run")
    assert [(run.name, missing) for run, missing in superseded.incomplete] == [
        ("202401110300", ("part_0_0002.csv",))
    ]


def test_names_that_are_not_runs_of_a_period_are_all_read(tmp_path: Path) -> None:
    """Names without a run id under a period folder (accounts), a file per subscription named by
    its GUID, Spark's part files sharing one job id, and run ids outside a period folder (a
    folder per subscription) are parts of a delivery, not versions of it."""
    period = tmp_path / "bills" / "billing_period=2023-09"
    files = [
        _file(period / "account-a" / "a.csv"),
        _file(period / "account-b" / "b.csv"),
        _file(period / f"{RUN_1}.csv"),
        _file(period / f"{RUN_2}.csv"),
        *(_file(period / f"part-0000{n}-{RUN_1}-c000.csv") for n in (0, 1)),
        _file(tmp_path / "bills" / RUN_1 / "2023-09.csv"),
        _file(tmp_path / "bills" / RUN_2 / "2023-09.csv"),
    ]
    assert source_files(tmp_path / "bills") == sorted(files)
    assert superseded_runs(tmp_path / "bills") == []


def test_a_run_not_known_whole_is_not_read(tmp_path: Path) -> None:
    """The current AWS version half copied: the previous complete one is read meanwhile. An
    Azure run without the manifest its sibling has (written last), or with files its manifest
    lists missing: not read; a period with no whole run: nothing of it is read."""
    period = tmp_path / "cur" / "report" / "20231101-20231130"
    previous = _file(period / ASSEMBLY_A / "report-1.csv.gz", mtime=1_700_000_000)
    _file(period / ASSEMBLY_B / "report-1.csv.gz", mtime=1_700_090_000)
    keys = [f"prefix/report/20231101-20231130/{ASSEMBLY_B}/report-{n}.csv.gz" for n in range(1, 8)]
    (period / "report-Manifest.json").write_text(json.dumps({"assemblyId": ASSEMBLY_B, "reportKeys": keys}))
    azure = tmp_path / "cur" / "azure" / "20231101-20231130"
    _file(azure / RUN_1 / "part_0_0001.csv", mtime=1_700_000_000)
    blobs = [{"blobName": f"costs/azure/20231101-20231130/{RUN_1}/part_0_000{n}.csv"} for n in (1, 2)]
    (azure / RUN_1 / "manifest.json").write_text(json.dumps({"blobs": blobs}))
    _file(azure / RUN_2 / "part_0_0001.csv", mtime=1_700_090_000)  # newer, its manifest not yet here
    assert source_files(tmp_path / "cur") == [previous]
    single, aws = superseded_runs(tmp_path / "cur")  # in the periods' order
    assert (_kept(aws), aws.left_out) == ((ASSEMBLY_A, "the only complete run"), ())
    assert [(run.name, missing) for run, missing in aws.incomplete] == [
        (ASSEMBLY_B, tuple(f"report-{n}.csv.gz" for n in range(2, 8)))
    ]
    assert _kept(single) == (None, "no run is complete")
    assert [(run.name, missing) for run, missing in single.incomplete] == [
        (RUN_1, ("part_0_0002.csv",)),
        (RUN_2, ("manifest.json",)),
    ]
    assert export_runs_line((tmp_path / "cur", SUPPORTED_SUFFIXES), date(2023, 12, 1)) == ("", False)
    line, warns = export_runs_line((tmp_path / "cur", SUPPORTED_SUFFIXES), date(2023, 11, 1))
    assert warns
    assert line == (
        "export runs written side by side, each holding its whole billing period, of which the "
        "latest complete one is read: azure/20231101-20231130: read none (no run is complete); "
        f"{RUN_1} incomplete, without part_0_0002.csv (a copy under way?); {RUN_2} incomplete, "
        f"without manifest.json (a copy under way?) | report/20231101-20231130: read {ASSEMBLY_A} "
        f"(the only complete run); {ASSEMBLY_B} incomplete, without report-2.csv.gz, "
        "report-3.csv.gz, report-4.csv.gz, report-5.csv.gz, report-6.csv.gz and 1 more (a copy "
        "under way?)"
    )


@pytest.mark.parametrize(
    ("period", "months"),
    [
        ("20231101-20231201", ["2023-11"]),  # AWS: the end is the next period's start
        ("20230901-20230930", ["2023-09"]),  # Azure: the end is the period's last day
        ("20231215-20240214", ["2023-12", "2024-01", "2024-02"]),
        ("BILLING_PERIOD=2024-02", ["2024-02"]),
        ("20231301-20231399", [f"2023-{m:02d}" for m in (9, 10, 11, 12)] + ["2024-01", "2024-02"]),  # all
    ],
)
def test_a_period_covers_the_months_its_name_says(period: str, months: list[str]) -> None:
    entry = Superseded(Path(period), None, "", ())
    covered = [
        m
        for m in ("2023-09", "2023-10", "2023-11", "2023-12", "2024-01", "2024-02")
        if entry.covers(parse_month(m))
    ]
    assert covered == months


def test_runs_nothing_tells_apart_are_both_left_out(tmp_path: Path) -> None:
    """Neither is guessed: the period delivers nothing (its month is held or says no
    delivery), the source's other periods are read, and the operator is warned."""
    period = tmp_path / "cur" / "BILLING_PERIOD=2023-11"
    for run in (ASSEMBLY_A, ASSEMBLY_B):
        _file(period / run / "export-00001.csv.gz", mtime=1_700_000_000)
    other = _file(tmp_path / "cur" / "BILLING_PERIOD=2023-12" / ASSEMBLY_A / "export-00001.csv.gz")
    assert source_files(tmp_path / "cur") == [other]
    [superseded] = superseded_runs(tmp_path / "cur")
    assert _kept(superseded) == (
        None,
        f"{ASSEMBLY_A} and {ASSEMBLY_B} cannot be told apart (files of the same time)",
    )
    assert export_runs_line((tmp_path / "cur", SUPPORTED_SUFFIXES), date(2023, 11, 1))[1]


def _changed_cost(source: Path, target: Path, added: Decimal) -> None:
    """The CUR sample with its first line's unblended cost raised by `added`."""
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["lineItem/UnblendedCost"] = str(Decimal(rows[0]["lineItem/UnblendedCost"]) + added)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_synced_cur_bucket_with_two_report_versions_loads_the_current_one_once(
    mart_url: str, tmp_path: Path
) -> None:
    """SOURCES.md: the sample's unblended total is USD 1.68230869740 over 1,281 lines. The
    current version (the manifest's) raised one line by 1; read whole, the folder held 2,562
    lines and USD 4.36461739480."""
    period = tmp_path / "cur" / "report" / "20231101-20231130"
    (period / ASSEMBLY_A).mkdir(parents=True)
    shutil.copy(CUR, period / ASSEMBLY_A / "report-1.csv")
    _changed_cost(CUR, period / ASSEMBLY_B / "report-1.csv", Decimal(1))
    os.utime(period / ASSEMBLY_A / "report-1.csv", (1_800_000_000, 1_800_000_000))  # newer, not current
    (period / "report-Manifest.json").write_text(json.dumps({"assemblyId": ASSEMBLY_B}))
    month = date(2023, 11, 1)
    source = source_kind("cur", "aws-cur", tmp_path / "cur", cost_column="unblended")
    run_month(mart_url, tmp_path / "landing", month, source)
    assert latest_audit(mart_url, "cur", month) == (1281, 1281, 0)
    assert fact_total(mart_url, "cur", month) == {"USD": Decimal("2.68230869740")}
    assert audit_costs(mart_url, "cur", month) == ({"USD": Decimal("2.68230869740")}, {})


@pytest.mark.parametrize("kind", ["azure-cost-details", "auto"])
def test_daily_azure_runs_of_a_month_load_the_month_once(mart_url: str, tmp_path: Path, kind: str) -> None:
    """SOURCES.md: EA_ActualCost_Small.csv holds 11 lines, USD 8.5450077867419368. The runs'
    manifests are not data, even for `auto`, which reads JSON (OpenCost's)."""
    period = tmp_path / "azure" / "daily" / "20230901-20230930"
    for run, submitted in ((RUN_1, "2023-09-02T03:00:00Z"), (RUN_2, "2023-09-03T03:00:00Z")):
        (period / run).mkdir(parents=True)
        shutil.copy(EA, period / run / "part_0_0001.csv")
        _azure_manifest(period / run, submitted)
    month = date(2023, 9, 1)
    source = source_kind("az", kind, tmp_path / "azure")
    run_month(mart_url, tmp_path / "landing", month, source)
    assert latest_audit(mart_url, "az", month) == (11, 11, 0)
    assert fact_total(mart_url, "az", month) == {"USD": Decimal("8.5450077867419368")}


def test_a_tabular_source_reads_every_file_whatever_its_folders_names(mart_url: str, tmp_path: Path) -> None:
    """A tool's own export, a folder per tenant named by its id under the period: both read."""
    period = tmp_path / "tool" / "20240101-20240131"
    for tenant, cost in ((RUN_1, "1.25"), (RUN_2, "2.50")):
        _file(period / tenant / "costs.csv", f"day,team,sku,qty,amount\n2024-01-05,pay,seat,1,{cost}\n")
    assert len(source_files(tmp_path / "tool")) == 1  # were it an export's runs
    mapping = {
        "month": {"column": "day"},
        "application": {"column": "team"},
        "product": {"column": "sku"},
        "quantity": {"column": "qty"},
        "unit": "seat",
        "cost": {"column": "amount"},
        "currency": "EUR",
    }
    source = SourceConfig(
        name="tool",
        kind="tabular",
        path=str(tmp_path / "tool"),
        mapping=msgspec.convert(mapping, TabularMapping),
    )
    month = date(2024, 1, 1)
    run_month(mart_url, tmp_path / "landing", month, source)
    assert latest_audit(mart_url, "tool", month) == (2, 2, 0)
    assert fact_total(mart_url, "tool", month) == {"EUR": Decimal("3.75")}


def test_a_cur_integrated_with_athena_loads_without_its_status_file(mart_url: str, tmp_path: Path) -> None:
    """`<report>/<report>/year=/month=/*.parquet` beside `cost_and_usage_data_status/`, whose one
    row (READY) is no billing line: read as one, it failed every month's run."""
    lines = pl.read_csv(CUR, infer_schema=False)
    athena = {
        c: re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", c).replace("/", "_").replace(":", "_").lower()
        for c in lines.columns
    }
    report = tmp_path / "cur" / "report"
    (report / "report" / "year=2023" / "month=11").mkdir(parents=True)
    lines.rename(athena).write_parquet(
        report / "report" / "year=2023" / "month=11" / "report-00001.snappy.parquet"
    )
    (report / "cost_and_usage_data_status").mkdir()
    pl.DataFrame({"status": ["READY"]}).write_parquet(
        report / "cost_and_usage_data_status" / "cost_and_usage_data_status.parquet"
    )
    month = date(2023, 11, 1)
    run_month(
        mart_url,
        tmp_path / "landing",
        month,
        source_kind("cur", "aws-cur", tmp_path / "cur", cost_column="unblended"),
    )
    assert latest_audit(mart_url, "cur", month) == (1281, 1281, 0)
    assert fact_total(mart_url, "cur", month) == {"USD": Decimal("1.68230869740")}
