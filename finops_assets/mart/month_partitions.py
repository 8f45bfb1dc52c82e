"""Creating month partitions ahead of the transaction that fills them.

Attaching a partition locks its parent table exclusively until commit; inside a load or a
valuation that would stall every API read of the table for the whole transaction. In a short
transaction of its own it holds the lock for milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import psycopg


def ensure_month_partitions(database_url: str, tables: Iterable[str], month: date) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        for table in tables:
            conn.execute("SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month])
