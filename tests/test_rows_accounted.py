"""Issue 13, item 2: every row of every file is accounted for, loaded or rejected with a reason
naming the column, and a file that cannot be read is refused in one line and audited."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from finops_assets.landing import LandingSlice
from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_assets.sources.monthly import Delivery
from finops_assets.sources.tabular.ingest import TabularOptions, ingest_tabular_month
from finops_cli.main import main
from finops_cli.report import run_report
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.tabular import FieldSpec, MonthSpec, TabularMapping
from tests.pipeline import fact_total, focus_source, query
from tests.test_month_loads import HEADER, line, write_csv

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
SPAN = "(they run from 2020-01 to 2025-12)"


def run(url: str, tmp_path: Path, month: date, source: SourceConfig) -> list[str]:
    config = PlatformConfig(start_month="2020-01", end_month="2025-12", sources=[source])
    mart = MartResource(database_url=url, landing_dir=str(tmp_path / "landing"))
    return run_report(materialize_month(config, month, mart, raise_on_error=False)).failures


def cloud(path: Path) -> SourceConfig:
    return focus_source("cloud", path, application_tag="application")


def audit(url: str, month: date) -> tuple[Any, ...]:
    (row,) = query(
        url,
        "SELECT status, rows_read, rows_loaded, rows_rejected FROM finops.load_audit"
        " WHERE month = %s ORDER BY load_id DESC LIMIT 1",
        month,
    )
    return row


def rejects(url: str) -> list[tuple[Any, ...]]:
    return query(url, "SELECT line_number, column_name, reason FROM finops.rejected_row ORDER BY line_number")


def test_rows_outside_the_partitions_are_rejected_in_the_file_s_month(mart_url: str, tmp_path: Path) -> None:
    # 989 rows of January, 10 of 2999-09 (after end_month) and 1 of 2019-12 (before start_month)
    rows = [line(JAN, "1.00") for _ in range(989)]
    rows[100:100] = [line(date(2999, 9, 1), "5.00") for _ in range(10)]
    rows.insert(500, line(date(2019, 12, 1), "7.00"))
    write_csv(tmp_path / "bills" / "bill.csv", rows)
    assert run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills")) == []

    assert audit(mart_url, JAN) == ("loaded", 1000, 989, 11)  # before: 989 read, 0 rejected
    found = rejects(mart_url)
    assert found[0] == (101, "BillingPeriodStart", f"BillingPeriodStart: outside partitions: 2999-09 {SPAN}")
    assert len([r for r in found if "2999-09" in r[2]]) == 10
    assert found[-1] == (501, "BillingPeriodStart", f"BillingPeriodStart: outside partitions: 2019-12 {SPAN}")
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("989.00")}


def test_every_row_of_a_file_is_read_once_over_its_months(mart_url: str, tmp_path: Path) -> None:
    rows = [line(JAN, "1.00")] * 5 + [line(FEB, "2.00")] * 3 + [line(date(2999, 9, 1), "9.00")] * 2
    write_csv(tmp_path / "bills" / "bill.csv", rows)
    for month in (JAN, FEB):
        assert run(mart_url, tmp_path, month, cloud(tmp_path / "bills")) == []
    # January (the file's earliest month) reads the 2 rows no partition holds, and rejects them
    assert (audit(mart_url, JAN), audit(mart_url, FEB)) == (("loaded", 7, 5, 2), ("loaded", 3, 3, 0))


def test_an_unknown_partition_is_one_line_naming_the_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "start_month: '2020-01'\nend_month: '2025-12'\nsources:\n  - {name: a, kind: focus, path: b}\n"
    )
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    assert main(["materialize", "--month", "2999-09"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "finops: error: 2999-09 is not a month partition; "
        "the partitions run from 2020-01 (start_month) to 2025-12"
    ]


def test_bad_cells_are_rejected_naming_their_column(mart_url: str, tmp_path: Path) -> None:
    rows = [
        line(JAN, "1.00"),  # 1: good
        line(JAN, "2.00", ServiceName="Amazon\x00EC2"),  # 2: NUL (before: CharacterNotInRepertoire)
        line(JAN, "3.00", BillingPeriodStart="2025-01-31"),  # 3: good
        line(JAN, "4.00", BillingPeriodStart="2025-01-32"),  # 4: no such day (before: loaded)
        line(JAN, "5.00", BillingPeriodStart="2025-01xyz"),  # 5: before: loaded
        line(JAN, "6.00", BillingPeriodStart=""),  # 6: empty (before: loaded in the earliest month)
        line(JAN, "7.00", Tags='{"application": "payments"'),  # 7: not JSON (before: unallocated)
        line(JAN, "1e400"),  # 8: over NUMERIC(38, 18)
        line(JAN, "8.00", Tags='{"application": "pay\x00ments"}'),  # 9: NUL in a tag
        line(JAN, "n/a", ServiceName="EC2\x00"),  # 10: rejected for its cost; the raw row keeps U+FFFD
    ]
    write_csv(tmp_path / "bills" / "bill.csv", rows)
    assert run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills")) == []

    assert audit(mart_url, JAN) == ("loaded", 10, 2, 8)
    assert rejects(mart_url) == [
        (2, "ServiceName", "ServiceName: NUL character"),
        (4, "BillingPeriodStart", "BillingPeriodStart: not a timestamp: '2025-01-32'"),
        (5, "BillingPeriodStart", "BillingPeriodStart: not a timestamp: '2025-01xyz'"),
        (6, "BillingPeriodStart", "BillingPeriodStart: missing"),
        (7, "Tags", """Tags: not a JSON object: '{"application": "payments"'"""),
        (8, "EffectiveCost", "EffectiveCost: over 20 integer digits: '1e400'"),
        (9, "Tags", "Tags: NUL character"),
        (10, "ServiceName", "ServiceName: NUL character"),
    ]
    raw = query(mart_url, "SELECT raw_row ->> 'ServiceName' FROM finops.rejected_row WHERE line_number = 2")
    assert raw == [("Amazon\ufffdEC2",)]
    (source_cost, rejected_cost) = query(
        mart_url, "SELECT source_cost, rejected_cost FROM finops.load_audit"
    )[0]
    # 1e400 is no amount of money: out of both totals (before: a 401-digit file total)
    assert (source_cost, rejected_cost) == ({"EUR": "36"}, {"EUR": "32"})
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("4.00")}


def test_a_nul_in_a_row_rejected_for_another_reason_is_stored(mart_url: str, tmp_path: Path) -> None:
    # the facts hold no NUL here: only the rejected raw row would (jsonb cannot store \u0000)
    write_csv(
        tmp_path / "bills" / "bill.csv", [line(JAN, "1.00")] * 9 + [line(JAN, "n/a", ServiceName="EC2\x00")]
    )
    assert run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills")) == []
    assert audit(mart_url, JAN) == ("loaded", 10, 9, 1)
    assert rejects(mart_url) == [(10, "ServiceName", "ServiceName: NUL character")]


HEAD = ",".join(HEADER).encode()
ROW = b"2025-01-01,EUR,Usage,AWS,EC2,Compute,1,Hours,1.00,{}"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            HEAD + b",EffectiveCost\n" + ROW + b",2\n",
            "line 1: the header names column 'EffectiveCost' twice (columns 9 and 11); rename or remove one",
        ),
        (HEAD + b"\n" + ROW + b"\n" + ROW + b",x,y\n", "line 3: 12 fields where the header has 10"),
        (
            HEAD + b"\n" + ROW + b"\n" + ROW.replace(b"EC2", b"EC\xff") + b"\n",
            "line 3: not UTF-8 text (invalid start byte at byte 27 of the line)",
        ),
    ],
    ids=["duplicated header", "ragged line", "not UTF-8"],
)
def test_a_file_that_cannot_be_read_is_refused_in_one_line_and_audited(
    mart_url: str, tmp_path: Path, content: bytes, problem: str
) -> None:
    bill = write_csv(tmp_path / "bills" / "bill.csv", [line(JAN, "1.00")])
    assert run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills")) == []
    bill.write_bytes(content)

    failures = run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills"))
    assert failures == [
        "step cloud__billing_lines failed: DeliveryFailed: cloud 2025-01 failed, "
        f"the loaded month is unchanged: {bill}: {problem}"
    ]
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("1.00")}
    (status, reason) = query(mart_url, "SELECT status, reason FROM finops.load_audit ORDER BY load_id DESC")[
        0
    ]
    assert (status, reason) == ("failed", f"{bill}: {problem}")


def test_the_month_index_follows_content_not_size_and_mtime(mart_url: str, tmp_path: Path) -> None:
    bill = write_csv(tmp_path / "bills" / "bill.csv", [line(JAN, "1.00")])
    assert run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills")) == []
    stamp = bill.stat()
    write_csv(bill, [line(FEB, "1.00")])  # same size, another month
    os.utime(bill, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert bill.stat().st_size == stamp.st_size

    assert run(mart_url, tmp_path, FEB, cloud(tmp_path / "bills")) == []
    assert audit(mart_url, FEB) == ("loaded", 1, 1, 0)  # before: 0 rows read until touched


def test_orphan_staging_folders_are_removed_by_the_next_run(mart_url: str, tmp_path: Path) -> None:
    write_csv(tmp_path / "bills" / "bill.csv", [line(JAN, "1.00")])
    folder = tmp_path / "landing" / "cloud"
    dead = [folder / ".2025-01-999999999-abcd1234", folder / ".old-999999999-efgh5678"]
    legacy = folder / ".2025-01-k2j3h4g5"  # named before the writer's id was: once an hour old
    for orphan in [*dead, legacy]:
        (orphan / "x").mkdir(parents=True)
    os.utime(legacy, (0, 0))

    assert run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills")) == []
    assert sorted(p.name for p in folder.iterdir()) == ["2025-01", "_file_index.json"]


def test_tabular_records_outside_the_partitions_and_with_nul_are_rejected(tmp_path: Path) -> None:
    usage = tmp_path / "usage"
    usage.mkdir()
    (usage / "usage.csv").write_text(
        "day,team,gb\n2025-01-03,a,1\n2999-09-01,a,2\n2025-01-04,b\x00,4\n2025-02-01,a,8\n2025-01-32,a,16\n"
    )
    mapping = TabularMapping(
        month=MonthSpec(column="day"),
        application=FieldSpec(column="team"),
        product=FieldSpec(constant="storage"),
        quantity=FieldSpec(column="gb"),
        currency="EUR",
        unit="GB",
    )
    delivery = Delivery(partitions=(date(2020, 1, 1), date(2025, 12, 1)))
    read = {}
    for month in (JAN, FEB):
        slice_ = LandingSlice(tmp_path / "landing", "usage", month)
        summary = ingest_tabular_month(usage, TabularOptions(mapping), slice_, delivery=delivery)
        read[month] = (summary.rows_read, summary.rows_rejected, summary.rows_loaded)
        if month == JAN:
            found = pl.read_parquet(slice_.rejects).select("_line", "column", "reason").rows()
    assert read == {JAN: (4, 3, 1), FEB: (1, 0, 1)}  # 5 records, each read once
    assert found == [
        (2, "day", f"day: outside partitions: 2999-09 {SPAN}"),
        (3, "team", "team: NUL character"),
        (5, "day", "day: not a date: '2025-01-32'"),
    ]


def test_a_parquet_file_that_cannot_be_read_is_refused_in_one_line(mart_url: str, tmp_path: Path) -> None:
    bill = tmp_path / "bills" / "bill.parquet"
    bill.parent.mkdir()
    pl.DataFrame([line(JAN, "1.00")]).write_parquet(bill)
    assert run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills")) == []
    bill.write_bytes(bill.read_bytes()[:100])  # truncated by a copy that died

    (failure,) = run(mart_url, tmp_path, JAN, cloud(tmp_path / "bills"))
    assert failure.startswith(
        "step cloud__billing_lines failed: DeliveryFailed: cloud 2025-01 failed, "
        f"the loaded month is unchanged: {bill}: "
    )
    assert "\n" not in failure
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("1.00")}
    assert query(mart_url, "SELECT status FROM finops.load_audit ORDER BY load_id") == [
        ("loaded",),
        ("failed",),
    ]
