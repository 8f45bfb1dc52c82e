"""Month loads: idempotence, concurrency, re-delivery and rejects (docs/design.md section 3)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg

from finops_assets.landing import LandingSlice
from finops_assets.partitions import partition_range
from finops_assets.sources.delivery import landing_lock
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import focus_options
from finops_assets.sources.monthly import Delivery
from finops_core.config import load_config
from finops_core.deliveries import DeliveryRules
from tests.pipeline import (
    actual_total,
    blocked_on_a_lock,
    fact_total,
    focus_source,
    latest_audit,
    mart_snapshot,
    query,
    run_month,
)

HEADER = [
    "BillingPeriodStart", "BillingCurrency", "ChargeCategory", "ProviderName", "ServiceName",
    "ServiceCategory", "PricingQuantity", "PricingUnit", "EffectiveCost", "Tags",
]  # fmt: skip
MONTHS = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]


def line(month: date, cost: str, quantity: str = "10", app: str = "payments", **extra: str) -> dict[str, str]:
    row = {
        "BillingPeriodStart": f"{month:%Y-%m-%d}T00:00:00Z",
        "BillingCurrency": "EUR",
        "ChargeCategory": "Usage",
        "ProviderName": "AWS",
        "ServiceName": "Amazon Elastic Compute Cloud",
        "ServiceCategory": "Compute",
        "PricingQuantity": quantity,
        "PricingUnit": "Hours",
        "EffectiveCost": cost,
        "Tags": json.dumps({"application": app}),
    }
    return row | extra


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def three_months(folder: Path) -> None:
    for index, month in enumerate(MONTHS, start=1):
        write_csv(
            folder / f"bill_{month:%Y-%m}.csv",
            [line(month, f"{index}.10"), line(month, f"{index}.05", app="search"), line(month, "0.01", "1")],
        )


def materializing_february(mart_url: str, home: Path) -> subprocess.Popen[str]:
    """`finops materialize --month 2025-02` of the FOCUS bills in home/bills, started in a process
    of its own (its landing in home/landing), as an operator or a Dagster run would."""
    config = home / "finops.yaml"
    bills = home / "bills"
    config.write_text(
        f"sources:\n  - {{name: cloud, kind: focus, path: '{bills}', application_tag: application}}\n"
    )
    env = os.environ | {
        "FINOPS_CONFIG": str(config),
        "FINOPS_HOME": str(home),
        "FINOPS_DATABASE_URL": mart_url,
    }
    command = [sys.executable, "-m", "finops_cli.main", "materialize", "--month", "2025-02"]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


def test_materializing_a_month_twice_leaves_the_mart_identical(mart_url: str, tmp_path: Path) -> None:
    three_months(tmp_path / "bills")
    source = focus_source("cloud", tmp_path / "bills", application_tag="application")
    run_month(mart_url, tmp_path / "landing", MONTHS[0], source)
    first = mart_snapshot(mart_url)
    run_month(mart_url, tmp_path / "landing", MONTHS[0], source)

    assert mart_snapshot(mart_url) == first
    assert fact_total(mart_url, "cloud", MONTHS[0]) == {"EUR": Decimal("2.16")}  # 1.10 + 1.05 + 0.01
    assert query(mart_url, "SELECT count(*) FROM finops.load_audit")[0] == (2,)


def test_concurrent_materializations_of_one_month_leave_no_duplicate(mart_url: str, tmp_path: Path) -> None:
    three_months(tmp_path / "bills")
    source = focus_source("cloud", tmp_path / "bills", application_tag="application")
    run_month(mart_url, tmp_path / "landing", MONTHS[1], source)
    single_run = mart_snapshot(mart_url)

    # Four operators materialize February at once, each in a process of its own, as Dagster
    # runs would.
    runs = [materializing_february(mart_url, tmp_path) for _ in range(4)]
    outcomes = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in runs]

    assert [code for code, _ in outcomes] == [0, 0, 0, 0], outcomes
    assert mart_snapshot(mart_url) == single_run
    assert fact_total(mart_url, "cloud", MONTHS[1]) == {"EUR": Decimal("4.16")}  # 2.10 + 2.05 + 0.01
    (lines,) = query(mart_url, "SELECT sum(line_count) FROM finops.fact_consumption")[0]
    assert lines == 3
    assert query(mart_url, "SELECT count(*) FROM finops.load_audit") == [(5,)]


def test_redelivered_month_replaces_only_that_month(mart_url: str, tmp_path: Path) -> None:
    bills = tmp_path / "bills"
    three_months(bills)
    source = focus_source("cloud", bills, application_tag="application")
    for month in MONTHS:
        run_month(mart_url, tmp_path / "landing", month, source)
    before = mart_snapshot(mart_url)

    # February is delivered again with one line changed: search 2.05 -> 7.30
    write_csv(
        bills / "bill_2025-02.csv",
        [line(MONTHS[1], "2.10"), line(MONTHS[1], "7.30", app="search"), line(MONTHS[1], "0.01", "1")],
    )
    run_month(mart_url, tmp_path / "landing", MONTHS[1], source)
    after = mart_snapshot(mart_url)

    assert actual_total(mart_url, "cloud", MONTHS[1]) == {"EUR": Decimal("9.41")}
    for table, rows in after.items():
        untouched = [r for r in rows if r[0] != MONTHS[1]]
        assert untouched == [r for r in before[table] if r[0] != MONTHS[1]], table
    search = query(
        mart_url,
        "SELECT month, cost FROM finops.cost_by_application WHERE application_code = 'search'"
        " AND pricing_view_code = 'actual' ORDER BY 1",
    )
    assert search == [
        (MONTHS[0], Decimal("1.05")),
        (MONTHS[1], Decimal("7.30")),
        (MONTHS[2], Decimal("3.05")),
    ]


def test_bad_rows_land_in_the_reject_table_with_reasons(mart_url: str, tmp_path: Path) -> None:
    month = MONTHS[0]
    rows = [
        line(month, "1.50"),  # 1: good
        line(month, "abc"),  # 2: not a number
        line(month, ""),  # 3: empty mandatory cost
        line(month, "2.00", BillingCurrency=""),  # 4: no currency
        line(month, "1E-20"),  # 5: would need rounding
        line(month, "3.00", PricingQuantity="ten"),  # 6: malformed quantity
        line(month, "0.25", BillingPeriodStart="not a date"),  # 7: month unreadable -> file's month
        line(month, "-0.75", ChargeCategory="Credit", PricingQuantity=""),  # 8: good, monetary
        line(month, "6.266090E-12"),  # 9: good, E-notation
    ]
    bills = write_csv(tmp_path / "bills" / "bad.csv", rows)
    source = focus_source("cloud", bills, application_tag="application")
    run_month(mart_url, tmp_path / "landing", month, source)

    assert latest_audit(mart_url, "cloud", month) == (9, 3, 6)
    rejects = query(
        mart_url,
        "SELECT line_number, column_name, reason, raw_row ->> 'EffectiveCost' FROM finops.rejected_row"
        " ORDER BY line_number",
    )
    assert rejects == [
        (2, "EffectiveCost", "EffectiveCost: not a number: 'abc'", "abc"),
        (3, "EffectiveCost", "EffectiveCost: missing", None),
        (4, "BillingCurrency", "BillingCurrency: missing", "2.00"),
        (5, "EffectiveCost", "EffectiveCost: more than 18 decimal places: '1E-20'", "1E-20"),
        (6, "PricingQuantity", "PricingQuantity: not a number: 'ten'", "3.00"),
        (7, "BillingPeriodStart", "BillingPeriodStart: not a timestamp: 'not a date'", "0.25"),
    ]
    assert fact_total(mart_url, "cloud", month) == {"EUR": Decimal("0.750000000006266090")}
    # the audit keeps the file's own total and what the rejects carried: 1.50 - 0.75 + 6.26609E-12
    # loaded; 1E-20 (too precise to load, counted exactly all the same), 3.00 and 0.25 rejected;
    # 2.00 has no currency and is counted under "?"
    (source_cost, rejected_cost) = query(
        mart_url, "SELECT source_cost, rejected_cost FROM finops.load_audit ORDER BY load_id DESC LIMIT 1"
    )[0]
    assert Decimal(source_cost["EUR"]) == Decimal("4.00000000000626609001")
    assert Decimal(rejected_cost["EUR"]) == Decimal("3.25000000000000000001")
    assert (Decimal(source_cost["?"]), Decimal(rejected_cost["?"])) == (Decimal("2.00"), Decimal("2.00"))


def test_a_month_no_file_holds_any_more_is_emptied(mart_url: str, tmp_path: Path) -> None:
    bills = tmp_path / "bills"
    three_months(bills)
    source = focus_source("cloud", bills, application_tag="application")
    run_month(mart_url, tmp_path / "landing", MONTHS[2], source)
    assert fact_total(mart_url, "cloud", MONTHS[2]) == {"EUR": Decimal("6.16")}  # 3.10 + 3.05 + 0.01

    (bills / "bill_2025-03.csv").unlink()  # March withdrawn by the provider, and declared so
    withdrawn = focus_source(
        "cloud", bills, application_tag="application", delivery=DeliveryRules(empty_months=["2025-03"])
    )
    run_month(mart_url, tmp_path / "landing", MONTHS[2], withdrawn)

    assert latest_audit(mart_url, "cloud", MONTHS[2]) == (0, 0, 0)
    assert fact_total(mart_url, "cloud", MONTHS[2]) == {}
    assert actual_total(mart_url, "cloud", MONTHS[2]) == {}
    # and a month that never had a bill materializes as empty too
    run_month(mart_url, tmp_path / "landing", date(2025, 11, 1), source)
    assert latest_audit(mart_url, "cloud", date(2025, 11, 1)) == (0, 0, 0)


def test_a_run_landing_a_month_another_run_is_landing_waits_and_keeps_its_landing(
    mart_url: str, tmp_path: Path
) -> None:
    bills = tmp_path / "bills"
    three_months(bills)
    february = LandingSlice(tmp_path / "landing", "cloud", MONTHS[1])
    with psycopg.connect(mart_url, autocommit=True) as conn, landing_lock(conn, "cloud", MONTHS[1], print):
        # this test is the other run: the CLI's run waits for the lock it holds
        run = materializing_february(mart_url, tmp_path)
        blocked_on_a_lock(mart_url, "pg_advisory_lock(hashtext('landing')")
        assert not february.folder.exists()  # it waits before reading anything
        # landed as the run's billing_lines lands it: the same options and partitions
        platform = load_config(tmp_path / "finops.yaml")
        options = focus_options(platform.source("cloud"), platform)
        ingest_focus_month(bills, options, february, delivery=Delivery(partition_range(platform)))
        landed = february.manifest.stat().st_ino
    assert run.wait(timeout=300) == 0, run.stderr.read() if run.stderr else ""

    # the CLI's run kept the landing made while it waited (the same delivery) and loaded it
    assert february.manifest.stat().st_ino == landed
    assert fact_total(mart_url, "cloud", MONTHS[1]) == {"EUR": Decimal("4.16")}  # 2.10 + 2.05 + 0.01
