"""Months publish atomically, or say they are stale (docs/design.md, issue 13 item 3).

A real `finops materialize` is killed (SIGKILL) right after each step of a month's run; every
cost grouping is then read through the real API. Between the consumption load and the cost
views the month's layers disagree: the month must be reported stale by every answer that
includes it and by /health, and any grouping that disagrees with another must be of a stale
month. A re-run mends the month and the mark goes away.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig
from tests.pipeline import focus_source, mart_snapshot, query
from tests.publication_faults import (
    EXPECTED,
    FEBRUARY,
    JANUARY,
    JANUARY_TOTAL,
    KILL_POINTS,
    materialize,
    materialize_killed,
    read_api,
    write_bills,
)
from tests.test_month_loads import line, write_csv

# Per kill point: is February stale, which layers its reason names, and whose figures the
# groupings show (None: they disagree, the probe's case: by product the second delivery, by
# month still the first).
OUTCOMES = {
    "cloud/billing_lines": (False, None, "first"),
    "cloud/consumption": (True, "allocation, valuation, cost views", "first"),
    "mart/allocation": (True, "valuation, cost views", "first"),
    "mart/valuation": (True, "cost views", None),
    "mart/cost_views": (False, None, "second"),
}


@pytest.mark.parametrize("kill_after", KILL_POINTS)
def test_a_kill_at_each_step_boundary_leaves_every_grouping_consistent_or_marked_stale(
    mart_url: str, tmp_path: Path, kill_after: str
) -> None:
    write_bills(tmp_path / "bills", "first")
    for month in (JANUARY, FEBRUARY):
        materialize(tmp_path, mart_url, month)
    published = read_api(mart_url)
    assert published.health_stale == {}
    assert published.view_totals() == JANUARY_TOTAL | EXPECTED["first"]

    write_bills(tmp_path / "bills", "second")
    assert materialize_killed(tmp_path, mart_url, FEBRUARY, kill_after) == -9

    during = read_api(mart_url)
    stale, reason, figures = OUTCOMES[kill_after]
    assert during.consistent()
    if stale:
        assert during.marked_everywhere() == {"2025-02"}
        assert set(during.health_stale) == {"2025-02"}
        assert f"was reloaded: {reason}; a run stopped" in during.health_stale["2025-02"]
        assert all(months == {"2025-02"} for months in during.stale.values())
    else:
        assert during.health_stale == {}
        assert all(months == set() for months in during.stale.values())
    if figures is None:
        assert during.disagreeing() == {"2025-02"}
        by_month = during.totals["actual", "month"]
        by_product = during.totals["actual", "month,product"]
        assert by_month == JANUARY_TOTAL | EXPECTED["first"]
        assert by_product == JANUARY_TOTAL | EXPECTED["second"]
    else:
        assert during.disagreeing() == set()
        assert during.view_totals() == JANUARY_TOTAL | EXPECTED[figures]

    materialize(tmp_path, mart_url, FEBRUARY)
    mended = read_api(mart_url)
    assert mended.health_stale == {}
    assert all(months == set() for months in mended.stale.values())
    assert mended.view_totals() == JANUARY_TOTAL | EXPECTED["second"]
    assert mended.etag != during.etag
    (versions,) = query(
        mart_url,
        "SELECT consumption_version, allocation_version, valuation_version, cost_views_version"
        " FROM finops.month_publication WHERE month = %s",
        FEBRUARY,
    )
    assert len(set(versions)) == 1  # every layer built from the last load


def test_a_rerun_after_a_kill_leaves_the_mart_identical_to_an_uninterrupted_run(
    mart_url: str, tmp_path: Path
) -> None:
    write_bills(tmp_path / "bills", "second")
    materialize(tmp_path, mart_url, FEBRUARY)
    uninterrupted = mart_snapshot(mart_url)
    write_bills(tmp_path / "bills", "first")
    materialize(tmp_path, mart_url, FEBRUARY)
    write_bills(tmp_path / "bills", "second")
    assert materialize_killed(tmp_path, mart_url, FEBRUARY, "mart/valuation") == -9
    assert mart_snapshot(mart_url) != uninterrupted

    materialize(tmp_path, mart_url, FEBRUARY)
    assert mart_snapshot(mart_url) == uninterrupted


def test_a_source_failing_leaves_the_month_published_when_the_others_reload_their_own_facts(
    mart_url: str, tmp_path: Path
) -> None:
    # every source's unchanged reload marked the month stale when one file then failed, until
    # that file was mended
    for name in ("cloud", "onprem"):
        write_csv(tmp_path / name / "bill.csv", [line(JANUARY, "1.25"), line(JANUARY, "2.50", app="search")])
    config = PlatformConfig(
        start_month="2025-01",
        end_month="2025-12",
        sources=[
            focus_source(name, tmp_path / name, application_tag="application") for name in ("cloud", "onprem")
        ],
    )
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    assert materialize_month(config, JANUARY, mart).success
    (tmp_path / "onprem" / "bill.csv").write_bytes(b"\xff\xfe not a bill")  # damaged
    failed = materialize_month(config, JANUARY, mart, raise_on_error=False)
    assert not failed.success
    assert query(mart_url, "SELECT source, status FROM finops.load_audit ORDER BY source, load_id") == [
        ("cloud", "loaded"), ("cloud", "loaded"), ("onprem", "loaded"), ("onprem", "failed"),
    ]  # fmt: skip
    assert query(mart_url, STALE) == []
    # a source whose facts did change leaves the month stale, as before, until its run is whole
    write_csv(tmp_path / "cloud" / "bill.csv", [line(JANUARY, "1.30"), line(JANUARY, "2.50", app="search")])
    assert not materialize_month(config, JANUARY, mart, raise_on_error=False).success
    assert query(mart_url, STALE) == [("2025-01",)]


STALE = (
    "SELECT to_char(month, 'YYYY-MM') FROM finops.month_publication"
    " WHERE NOT (consumption_version = allocation_version AND allocation_version = valuation_version"
    " AND valuation_version = cost_views_version)"
)
