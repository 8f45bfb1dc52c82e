"""Creating month partitions ahead of the transaction that fills them, and vacuuming them after
the transaction that rewrote them.

Attaching a partition locks its parent table exclusively until commit; inside a load or a
valuation that would stall every API read of the table for the whole transaction. In a short
transaction of its own it holds the lock for milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from psycopg import sql

from finops_assets.mart.connection import Mart, connection


def ensure_month_partitions(mart: Mart, tables: Iterable[str], month: date) -> None:
    with connection(mart) as conn:
        for table in tables:
            with conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '10s'")
                conn.execute(
                    "SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month]
                )


def vacuum_month_partitions(mart: Mart, tables: Sequence[str], month: date) -> None:
    """VACUUM the month's partitions of `tables`, once the transaction that deleted rows from
    them has committed. A month is rewritten by DELETE + INSERT (read_models.delete_month): the
    deleted rows stay on their pages until a vacuum frees them; until then the month's later
    statements read through them, and the next rewrite adds a copy instead of reusing their
    space. Autovacuum comes a minute later at best, and never on a server that runs without it
    (benchmarks/RESULTS.md, "The batch vacuums what it rewrote"). SKIP_LOCKED: a partition that
    another vacuum holds is left to it, never waited for."""
    if not tables:  # a VACUUM naming no table vacuums the whole database
        return
    names = sql.SQL(", ").join(sql.Identifier("finops", f"{table}_{month:%Y_%m}") for table in tables)
    with connection(mart) as conn:
        conn.execute(sql.SQL("VACUUM (SKIP_LOCKED) {}").format(names))
