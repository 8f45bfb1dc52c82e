"""Creating month partitions ahead of the transaction that fills them.

Attaching a partition locks its parent table exclusively until commit; inside a load or a
valuation that would stall every API read of the table for the whole transaction. In a short
transaction of its own it holds the lock for milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from finops_assets.mart.connection import Mart, connection


def ensure_month_partitions(mart: Mart, tables: Iterable[str], month: date) -> None:
    with connection(mart) as conn:
        for table in tables:
            with conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '10s'")
                conn.execute(
                    "SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month]
                )
