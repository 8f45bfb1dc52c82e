"""Valuing a month and refreshing the read models the API serves, one month at a time.

Each read model is a month-partitioned table whose month is emptied and refilled in one
transaction, so a month's refresh costs the same however many months are kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from finops_assets.mart.connection import Mart, connection
from finops_assets.mart.month_partitions import ensure_month_partitions
from finops_assets.mart.publication import Layer, input_version, record_layer
from finops_core.months import format_month
from finops_core.sql import sql_statements

COST_BY_PRODUCT = "cost_by_product"
ROLLUPS = (
    "cost_by_application_family",
    "cost_by_application",
    "cost_by_owner_family",
    "cost_by_family",
    "cost_by_owner",
)


def _replace_month(
    cur: psycopg.Cursor[object], layer: Layer, tables: tuple[str, ...], month: date, script: str
) -> int:
    """Empty the month of `tables` and run `script` to refill it; returns the rows its INSERTs
    wrote (counted from their command tags: no count of the month afterwards)."""
    cur.execute(
        "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", [",".join(tables), format_month(month)]
    )
    # a month's aggregation spilled to disk at the default 4 MB (35k groups from 1M lines)
    cur.execute("SET LOCAL work_mem = '64MB'")
    # the statements' estimates pass jit_above_cost (the partitions just written have no
    # statistics), and compiling them saved nothing: 16 ms of compilation in a 38 ms INSERT
    cur.execute("SET LOCAL jit = off")
    version = input_version(cur, layer, month)
    for table in tables:
        delete_month(cur, table, month)
    written = 0
    for statement in sql_statements(script):
        cur.execute(statement, {"month": month})
        if (cur.statusmessage or "").startswith("INSERT"):
            written += cur.rowcount
    record_layer(cur, layer, month, version)
    return written


def delete_month(cur: psycopg.Cursor[Any], table: str, month: date) -> None:
    """Empty the month of a month-partitioned table with DELETE, not TRUNCATE: TRUNCATE is not
    MVCC-safe (a reader whose snapshot predates it, such as an API query or another run's check
    that waited on its lock, then sees the month empty) and it blocks every reader of the month
    until commit; a DELETE lets readers go on with the old rows until the new ones commit."""
    cur.execute(sql.SQL("DELETE FROM finops.{} WHERE month = %s").format(sql.Identifier(table)), [month])


def value_month(mart: Mart, month: date) -> int:
    """Rebuild the month of cost_by_product under every pricing view; returns its row count."""
    ensure_month_partitions(mart, (COST_BY_PRODUCT,), month)
    with connection(mart) as conn, conn.transaction(), conn.cursor() as cur:
        return _replace_month(cur, "valuation", (COST_BY_PRODUCT,), month, "batch/value_month.sql")


def refresh_rollups(mart: Mart, month: date) -> None:
    ensure_month_partitions(mart, ROLLUPS, month)
    with connection(mart) as conn, conn.transaction(), conn.cursor() as cur:
        _replace_month(cur, "cost_views", ROLLUPS, month, "batch/refresh_cost_rollups.sql")
