"""The month's checks as Dagster runs them: standalone, re-runnable alone, and blocking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
from dagster import (
    AssetCheckKey,
    AssetCheckSeverity,
    AssetKey,
    AssetSelection,
    DagsterEventType,
    materialize,
)

from finops_assets.graph import build_assets
from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig
from tests.pipeline import focus_source, query
from tests.test_month_loads import line, write_csv

JANUARY = date(2025, 1, 1)
CONSERVATION = AssetCheckKey(AssetKey(["aws", "consumption"]), "conservation")

# A bug between the load and the check, for real: every fact row the mart stores gains a cent
# that the file does not have.
SKEW_FACTS = """
CREATE FUNCTION finops.skew() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN NEW.source_cost := NEW.source_cost + 0.01; RETURN NEW; END$$;
CREATE TRIGGER skew BEFORE INSERT ON finops.fact_consumption FOR EACH ROW EXECUTE FUNCTION finops.skew();
"""


def _config(folder: Path) -> PlatformConfig:
    return PlatformConfig(start_month="2025-01", sources=[focus_source("aws", folder)])


def test_a_month_failing_conservation_stops_allocation_and_valuation(mart_url: str, tmp_path: Path) -> None:
    write_csv(tmp_path / "aws" / "bill.csv", [line(JANUARY, "1.10"), line(JANUARY, "2.05", app="search")])
    config = _config(tmp_path / "aws")
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    with psycopg.connect(mart_url) as conn:
        conn.execute(SKEW_FACTS)

    result = materialize_month(config, JANUARY, mart, raise_on_error=False)

    succeeded = {e.step_key for e in result.all_events if e.event_type == DagsterEventType.STEP_SUCCESS}
    started = {e.step_key for e in result.all_events if e.event_type == DagsterEventType.STEP_START}
    assert {"aws__billing_lines", "aws__consumption", "aws__consumption_nothing_lost"} <= succeeded
    assert not {"mart__allocation", "mart__valuation", "mart__cost_views"} & started
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "conservation")
    assert (evaluation.passed, evaluation.severity) == (False, AssetCheckSeverity.ERROR)
    # both lines land in one fact row (same grain): the mart holds one cent more than the file
    assert query(mart_url, "SELECT count(*), sum(line_count) FROM finops.fact_consumption") == [(1, 2)]
    assert "| EUR | 3.15 | 3.160000000000000000 | 0 |" in str(evaluation.metadata["totals"].value)
    assert query(mart_url, "SELECT count(*) FROM finops.allocated_consumption") == [(0,)]
    assert query(mart_url, "SELECT count(*) FROM finops.cost_by_product") == [(0,)]

    # mended in the mart, the check alone is run again (as from the UI) and passes
    with psycopg.connect(mart_url) as conn:
        conn.execute("DROP TRIGGER skew ON finops.fact_consumption")
        conn.execute("UPDATE finops.fact_consumption SET source_cost = source_cost - 0.01")
    # as the UI launches a check alone: no asset selected, the month as the run's partition tag
    again = materialize(
        build_assets(config),
        selection=AssetSelection.checks(CONSERVATION),
        tags={"dagster/partition": JANUARY.isoformat()},
        resources={"mart": mart},
    )
    [evaluation] = again.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("conservation", True)
    assert {e.step_key for e in again.all_events if e.event_type == DagsterEventType.STEP_START} == {
        "aws__consumption_conservation"
    }
    assert query(mart_url, "SELECT sum(source_cost) FROM finops.fact_consumption") == [(Decimal("3.15"),)]


def test_a_month_without_a_file_warns_no_delivery_and_a_zero_cost_month_does_not(
    mart_url: str, tmp_path: Path
) -> None:
    write_csv(tmp_path / "aws" / "bill.csv", [line(JANUARY, "0.00")])
    config = _config(tmp_path / "aws")
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))

    def no_delivery(month: date) -> tuple[bool, AssetCheckSeverity, str | None]:
        result = materialize_month(config, month, mart)
        evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "no_delivery")
        return evaluation.passed, evaluation.severity, evaluation.description

    assert no_delivery(JANUARY) == (True, AssetCheckSeverity.WARN, "1 file(s) of aws hold 2025-01")
    assert no_delivery(date(2025, 2, 1)) == (
        False,
        AssetCheckSeverity.WARN,
        "no file of aws holds a record of 2025-02: nothing was delivered for this month",
    )
