"""Helpers for tests that run the real asset graph against a test database."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from dagster import AssetCheckSeverity

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig, SourceConfig


def focus_source(name: str, path: Path, **options: Any) -> SourceConfig:
    return SourceConfig(name=name, kind="focus", path=str(path), **options)


def run_month(
    url: str, landing: Path, month: date, *sources: SourceConfig, base_dir: Path = Path(".")
) -> None:
    config = PlatformConfig(start_month="2020-01", sources=list(sources), base_dir=base_dir)
    run_config_month(url, landing, month, config)


def run_config_month(url: str, landing: Path, month: date, config: PlatformConfig) -> list[str]:
    """Materialize the month of every source in `config`; the checks run, as `asset:check`.
    A warning (mapping or price coverage) is not a failure of the run."""
    result = materialize_month(config, month, MartResource(database_url=url, landing_dir=str(landing)))
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    failed = [e.check_name for e in evaluations if not e.passed and e.severity == AssetCheckSeverity.ERROR]
    assert failed == [], f"failed checks: {failed}"
    return sorted(f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations)


def query(url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement.encode(), params or None).fetchall()


def blocked_on_a_lock(url: str, statement_part: str) -> None:
    """Wait (up to 30 s: a process may be starting) until a statement containing
    `statement_part` waits for a lock."""
    for _ in range(600):
        if query(url, "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                 f"%{statement_part}%"):  # fmt: skip
            return
        time.sleep(0.05)
    raise AssertionError(f"no statement with {statement_part!r} waited for a lock")


def mart_snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a month load writes, audit ids and timestamps aside, in a stable order."""
    return {
        "facts": query(url, "SELECT month, source, application_code, product_code, sub_account_id, region_id,"
                            " currency, unit, quantity, source_cost, line_count FROM finops.fact_consumption"
                            " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"),
        "rejects": query(url, "SELECT month, source, file, line_number, column_name, reason, raw_row"
                              " FROM finops.rejected_row ORDER BY 1, 2, 3, 4"),
        "cost_by_product": query(url, "SELECT * FROM finops.cost_by_product ORDER BY 1, 2, 3, 4, 7, 8"),
        "cost_by_application_family": query(url, "SELECT * FROM finops.cost_by_application_family"
                                                 " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"),
        "cost_by_application": query(url, "SELECT * FROM finops.cost_by_application ORDER BY 1, 2, 3, 4"),
        "cost_by_family": query(url, "SELECT * FROM finops.cost_by_family ORDER BY 1, 2, 3, 4, 5, 6"),
        "cost_by_owner_family": query(url, "SELECT * FROM finops.cost_by_owner_family"
                                           " ORDER BY 1, 2, 3, 4, 5, 6, 7"),
        "cost_by_owner": query(url, "SELECT * FROM finops.cost_by_owner ORDER BY 1, 2, 3, 4"),
    }  # fmt: skip


def _totals_by_currency(url: str, statement: str, source: str, month: date) -> dict[str, Decimal]:
    return {currency: total for currency, total in query(url, statement, source, month)}


def fact_total(url: str, source: str, month: date) -> dict[str, Decimal]:
    return _totals_by_currency(
        url,
        "SELECT currency, sum(source_cost) FROM finops.fact_consumption"
        " WHERE source = %s AND month = %s GROUP BY currency",
        source,
        month,
    )


def actual_total(url: str, source: str, month: date) -> dict[str, Decimal]:
    return _totals_by_currency(
        url,
        "SELECT currency, sum(cost) FROM finops.cost_by_product"
        " WHERE source = %s AND month = %s AND pricing_view_code = 'actual' GROUP BY currency",
        source,
        month,
    )


def latest_audit(url: str, source: str, month: date) -> tuple[int, int, int]:
    rows = query(
        url,
        "SELECT rows_read, rows_loaded, rows_rejected FROM finops.load_audit"
        " WHERE source = %s AND month = %s ORDER BY load_id DESC LIMIT 1",
        source,
        month,
    )
    return rows[0]


def source_kind(name: str, kind: str, path: Path, **options: Any) -> SourceConfig:
    """A source of any kind but tabular (a provider's export, auto, focus) on one path."""
    return SourceConfig(name=name, kind=kind, path=str(path), **options)  # type: ignore[arg-type]


def audit_costs(url: str, source: str, month: date) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The latest load's (source_cost, rejected_cost): the files' own totals per currency."""
    rows = query(
        url,
        "SELECT source_cost, rejected_cost FROM finops.load_audit"
        " WHERE source = %s AND month = %s ORDER BY load_id DESC LIMIT 1",
        source,
        month,
    )
    source_cost, rejected_cost = rows[0]
    return (
        {k: Decimal(v) for k, v in source_cost.items()},
        {k: Decimal(v) for k, v in rejected_cost.items()},
    )
