"""One monthly partitioning for the whole graph: the billing month."""

from __future__ import annotations

from datetime import date

from dagster import MonthlyPartitionsDefinition

from finops_core.config import PlatformConfig
from finops_core.months import add_months, current_month, parse_month


def monthly_partitions(config: PlatformConfig) -> MonthlyPartitionsDefinition:
    """From start_month to the current month included (it is month-to-date, re-materialized as
    bills settle), or to end_month when that comes first (a closed history, like the demo's).

    end_offset=1 holds with an end_month too: without it, an end_month still to come ended the
    partitions at the last whole month, and the sensor skipped the current month's files."""
    end = add_months(parse_month(config.end_month), 1) if config.end_month else None  # exclusive
    return MonthlyPartitionsDefinition(
        start_date=f"{config.start_month}-01", end_date=end.isoformat() if end else None, end_offset=1
    )


def partition_range(config: PlatformConfig, today: date | None = None) -> tuple[date, date]:
    """The first and last month partitions, as monthly_partitions has them on `today`."""
    current = current_month(today)
    last = min(parse_month(config.end_month), current) if config.end_month else current
    return parse_month(config.start_month), last


def partition_month(partition_key: str) -> date:
    return date.fromisoformat(partition_key)
