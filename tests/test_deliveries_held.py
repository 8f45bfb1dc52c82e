"""Issue 13, item 1: a new delivery that would wipe or wreck a loaded month is held. The month
keeps its facts, read models and landing exactly; the attempt is audited `held` with its reason;
the run fails in one line; --accept-held (run config accept_held) replaces the month."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_cli.report import run_report
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.deliveries import DeliveryRules, validate_delivery_rules
from finops_core.errors import ConfigError
from tests.pipeline import actual_total, fact_total, focus_source, mart_snapshot, query
from tests.test_month_loads import HEADER, line, write_csv

JAN = date(2025, 1, 1)
COSTS = [f"{n}.00" for n in range(1, 11)]  # 1.00 .. 10.00: 55.00 EUR in ten lines
LOADED = {"EUR": Decimal("55.00")}


def good_month(bills: Path) -> Path:
    return write_csv(bills / "bill.csv", [line(JAN, cost) for cost in COSTS])


def run(url: str, tmp_path: Path, source: SourceConfig, accept_held: bool = False) -> list[str]:
    """Materialize January; the run's failures, one line each."""
    config = PlatformConfig(start_month="2020-01", end_month="2025-12", sources=[source])
    mart = MartResource(database_url=url, landing_dir=str(tmp_path / "landing"))
    result = materialize_month(config, JAN, mart, raise_on_error=False, accept_held=accept_held)
    return run_report(result).failures


def attempts(url: str) -> list[tuple[Any, ...]]:
    return query(
        url,
        "SELECT status, rows_read, rows_loaded, rows_rejected, reason"
        " FROM finops.load_audit ORDER BY load_id",
    )


def without_column(path: Path, column: str) -> None:
    rows = [{k: v for k, v in line(JAN, cost).items() if k != column} for cost in COSTS]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[h for h in HEADER if h != column])
        writer.writeheader()
        writer.writerows(rows)


DELIVERIES: dict[str, tuple[Callable[[Path], object], int, int, str]] = {
    # case: (how the file is re-delivered, rows read, rows rejected, the reason's start)
    "empty file": (lambda p: p.write_text(""), 0, 0, "empty delivery: no rows for 2025-01"),
    "header only": (
        lambda p: p.write_text(",".join(HEADER) + "\n"),
        0,
        0,
        "empty delivery: no rows for 2025-01",
    ),
    "cost column missing": (
        lambda p: without_column(p, "EffectiveCost"),
        10,
        10,
        "mandatory column missing: EffectiveCost (10 of 10 rows rejected",
    ),
    "currency column missing": (
        lambda p: without_column(p, "BillingCurrency"),
        10,
        10,
        "mandatory column missing: BillingCurrency (10 of 10 rows rejected",
    ),
    "too many rejects": (
        lambda p: write_csv(p, [line(JAN, c if n > 2 else "n/a") for n, c in enumerate(COSTS)]),
        10,
        3,
        "3 of 10 rows rejected (30.0%, over max_rejected_share 10%); "
        "most often: \"EffectiveCost: not a number: 'n/a'\" (3 rows)",
    ),
    "total x100": (
        lambda p: write_csv(p, [line(JAN, f"{n}00.00") for n in range(1, 11)]),
        10,
        0,
        "the EUR total moves from 55 to 5500 (x100; max_total_factor 10)",
    ),
    "a copy of the bill beside it": (  # both were read: the month doubled
        lambda p: shutil.copyfile(p, p.with_name("bill (1).csv")),
        20,
        0,
        "files with the same content, whose costs would count twice: ",
    ),
    "all in another month": (
        lambda p: write_csv(p, [line(date(2025, 2, 1), cost) for cost in COSTS]),
        0,
        0,
        "empty delivery: no rows for 2025-01",
    ),
}


@pytest.mark.parametrize("case", DELIVERIES)
def test_a_bad_delivery_is_held_and_the_month_kept(mart_url: str, tmp_path: Path, case: str) -> None:
    bill = good_month(tmp_path / "bills")
    source = focus_source("cloud", tmp_path / "bills", application_tag="application")
    assert run(mart_url, tmp_path, source) == []
    before = mart_snapshot(mart_url)
    manifest = (tmp_path / "landing" / "cloud" / "2025-01" / "manifest.json").read_text()

    deliver, rows_read, rows_rejected, reason = DELIVERIES[case]
    deliver(bill)
    failures = run(mart_url, tmp_path, source)

    assert len(failures) == 1
    assert failures[0].startswith(
        "step cloud__billing_lines failed: DeliveryHeld: cloud 2025-01 held, the loaded month is unchanged: "
        + reason
    ), failures[0]
    assert mart_snapshot(mart_url) == before
    assert (fact_total(mart_url, "cloud", JAN), actual_total(mart_url, "cloud", JAN)) == (LOADED, LOADED)
    assert (tmp_path / "landing" / "cloud" / "2025-01" / "manifest.json").read_text() == manifest
    (loaded, held) = attempts(mart_url)
    assert loaded == ("loaded", 10, 10, 0, None)
    assert held[:4] == ("held", rows_read, rows_read - rows_rejected, rows_rejected)
    assert held[4].startswith(reason)


def test_a_delivery_of_far_fewer_rows_is_held_though_its_total_is_the_same_and_more_rows_are_not(
    mart_url: str, tmp_path: Path
) -> None:
    # 1,281 rows re-delivered as 10 replaced a month without a word, its total in range or 0
    bill = good_month(tmp_path / "bills")
    rules = DeliveryRules(max_row_factor=4)
    source = focus_source("cloud", tmp_path / "bills", application_tag="application", delivery=rules)
    assert run(mart_url, tmp_path, source) == []
    write_csv(bill, [line(JAN, "27.50"), line(JAN, "27.50")])  # 55.00 in 2 rows, not 10
    [failure] = run(mart_url, tmp_path, source)
    assert failure.endswith(
        "held, the loaded month is unchanged: 2 rows kept, against 10 in the loaded month (x0.2; "
        "max_row_factor 4); `finops materialize --accept-held` (run config accept_held) replaces it"
    ), failure
    assert fact_total(mart_url, "cloud", JAN) == LOADED
    write_csv(bill, [line(JAN, "0.50") for _ in range(110)])  # the month grown: 55.00 in 110 rows
    assert run(mart_url, tmp_path, source) == []
    assert fact_total(mart_url, "cloud", JAN) == LOADED


def test_a_first_delivery_with_a_copy_of_a_file_is_held_too(mart_url: str, tmp_path: Path) -> None:
    bill = good_month(tmp_path / "bills")
    shutil.copyfile(bill, tmp_path / "bills" / "copy.csv")
    source = focus_source("cloud", tmp_path / "bills", application_tag="application")
    [failure] = run(mart_url, tmp_path, source)
    assert failure.endswith(
        f"held, the loaded month is unchanged: files with the same content, whose costs would count "
        f"twice: {bill} = {tmp_path / 'bills' / 'copy.csv'}; `finops materialize --accept-held` "
        "(run config accept_held) replaces it"
    ), failure
    assert fact_total(mart_url, "cloud", JAN) == {}
    assert run(mart_url, tmp_path, source, accept_held=True) == []  # deliberately: both count
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("110.00")}


def test_accept_held_replaces_the_month_from_the_cli(mart_url: str, tmp_path: Path) -> None:
    bill = good_month(tmp_path / "bills")
    config = tmp_path / "finops.yaml"
    config.write_text(
        "start_month: '2020-01'\nend_month: '2025-12'\n"
        f"sources:\n  - {{name: cloud, kind: focus, path: '{bill}', application_tag: application}}\n"
    )
    env = os.environ | {"FINOPS_CONFIG": str(config), "FINOPS_HOME": str(tmp_path / "home")}
    env.pop("DAGSTER_HOME", None)

    def materialize(*options: str) -> subprocess.CompletedProcess[str]:
        # a process of its own, as a user runs it: its stderr is the CLI's alone
        command = [sys.executable, "-m", "finops_cli.main", "materialize", "--month", "2025-01", *options]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)

    assert materialize().returncode == 0
    write_csv(bill, [line(JAN, f"{n}00.00") for n in range(1, 11)])  # 5,500.00: x100

    held = materialize()
    assert held.returncode == 1
    errors = [e for e in held.stderr.splitlines() if "error:" in e]
    assert errors == [
        "  error: 2025-01 step cloud__billing_lines failed: DeliveryHeld: cloud 2025-01 held, "
        "the loaded month is unchanged: the EUR total moves from 55 to 5500 (x100; max_total_factor 10); "
        "`finops materialize --accept-held` (run config accept_held) replaces it"
    ]
    assert "Traceback" not in held.stderr
    assert fact_total(mart_url, "cloud", JAN) == LOADED

    assert materialize("--accept-held").returncode == 0
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("5500.00")}
    assert actual_total(mart_url, "cloud", JAN) == {"EUR": Decimal("5500.00")}
    assert [a[0] for a in attempts(mart_url)] == ["loaded", "held", "loaded"]


def test_a_month_declared_empty_is_emptied_without_accepting(mart_url: str, tmp_path: Path) -> None:
    bill = good_month(tmp_path / "bills")
    source = focus_source("cloud", tmp_path / "bills", application_tag="application")
    assert run(mart_url, tmp_path, source) == []
    bill.write_text(",".join(HEADER) + "\n")  # the source is withdrawn from January

    assert len(run(mart_url, tmp_path, source)) == 1  # not declared: held
    assert fact_total(mart_url, "cloud", JAN) == LOADED
    declared = focus_source(
        "cloud",
        tmp_path / "bills",
        application_tag="application",
        delivery=DeliveryRules(empty_months=["2025-01"]),
    )
    assert run(mart_url, tmp_path, declared) == []
    assert fact_total(mart_url, "cloud", JAN) == {}
    assert attempts(mart_url)[-1] == ("loaded", 0, 0, 0, None)


def test_the_thresholds_are_configurable(mart_url: str, tmp_path: Path) -> None:
    bill = good_month(tmp_path / "bills")
    source = focus_source("cloud", tmp_path / "bills", application_tag="application")
    assert run(mart_url, tmp_path, source) == []
    # 3 of 10 rejected and the rest doubled: within 50% and a factor of 3
    write_csv(bill, [line(JAN, f"{2 * n}.00" if n > 3 else "n/a") for n in range(1, 11)])
    lenient = focus_source(
        "cloud",
        tmp_path / "bills",
        application_tag="application",
        delivery=DeliveryRules(max_rejected_share=0.5, max_total_factor=3),
    )
    assert run(mart_url, tmp_path, lenient) == []
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("98.00")}  # 2 x (4 + ... + 10)


@pytest.mark.parametrize("name", ["max_row_factor", "max_total_factor"])
def test_a_factor_that_would_hold_every_delivery_is_refused(name: str) -> None:
    expected = rf"^sources\[0\]\.delivery\.{name}: expected a factor above 1, such as 10$"
    rules = msgspec.structs.replace(DeliveryRules(), **{name: 1.0})
    with pytest.raises(ConfigError, match=expected):
        validate_delivery_rules(rules, "sources[0].delivery")
