"""One monthly partitioning for the whole graph: the billing month."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dagster import MonthlyPartitionsDefinition

from finops_core.config import PlatformConfig
from finops_core.months import add_months, parse_month


def monthly_partitions(config: PlatformConfig) -> MonthlyPartitionsDefinition:
    """From start_month to end_month when set (a closed history, like the demo's), else to the
    current month included: it is month-to-date, re-materialized as bills settle."""
    if config.end_month is not None:
        end = add_months(parse_month(config.end_month), 1)  # end_date is exclusive
        return MonthlyPartitionsDefinition(start_date=f"{config.start_month}-01", end_date=end.isoformat())
    return MonthlyPartitionsDefinition(start_date=f"{config.start_month}-01", end_offset=1)


def partition_range(config: PlatformConfig, today: date | None = None) -> tuple[date, date]:
    """The first and last month partitions."""
    today = today or datetime.now(UTC).date()
    last = parse_month(config.end_month) if config.end_month else today.replace(day=1)
    return parse_month(config.start_month), last


def partition_month(partition_key: str) -> date:
    return date.fromisoformat(partition_key)
