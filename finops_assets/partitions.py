"""One monthly partitioning for the whole graph: the billing month."""

from __future__ import annotations

from datetime import date

from dagster import MonthlyPartitionsDefinition


def monthly_partitions(start_month: str) -> MonthlyPartitionsDefinition:
    # end_offset=1: the current month is a partition too, month-to-date (DESIGN.md section 5)
    return MonthlyPartitionsDefinition(start_date=f"{start_month}-01", end_offset=1)


def partition_month(partition_key: str) -> date:
    return date.fromisoformat(partition_key)
