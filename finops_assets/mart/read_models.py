"""Refreshing the read models the API serves, one month at a time, and what the month's
valuation and roll-ups share: their transaction's lock, settings and publication record.

Each read model is a month-partitioned table whose month (or the part of it that changed) is
emptied and refilled in one transaction, so a month's refresh costs the same however many
months are kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from finops_assets.mart.connection import Mart, connection
from finops_assets.mart.month_partitions import ensure_month_partitions, vacuum_month_partitions
from finops_assets.mart.publication import Layer, input_version, record_basis, record_layer, recorded_basis
from finops_core.months import format_month
from finops_core.sql import sql_statements, sql_text
from finops_core.vocabulary import COST_VIEWS

ROLLUP_SCRIPT = "batch/refresh_cost_rollups.sql"
ROLLUP_APPLICATIONS = "batch/rollup_applications.sql"
ROLLUPS: Mapping[str, str | None] = {
    "cost_by_application_family": "family_code",
    "cost_by_application": "application_code",
    "cost_by_owner_family": "family_code",
    "cost_by_family": None,
    "cost_by_owner": None,
}
"""The roll-ups, in the order the script fills them, and the column by which a refresh of some
families empties them (None: a few hundred rows a month, rebuilt whole every time)."""


@contextmanager
def month_layer(cur: psycopg.Cursor[Any], layer: Layer, tables: Sequence[str], month: date) -> Iterator[None]:
    """Inside the caller's transaction: the month's lock on `tables`, the settings the month's
    statements need, and, when the block ends, the publication record of `layer` built from the
    version of its input read first."""
    cur.execute(
        "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", [",".join(tables), format_month(month)]
    )
    # a month's aggregation spilled to disk at the default 4 MB (35k groups from 1M lines)
    cur.execute("SET LOCAL work_mem = '64MB'")
    # the statements' estimates pass jit_above_cost (the partitions just written have no
    # statistics), and compiling them saved nothing: 16 ms of compilation in a 38 ms INSERT
    cur.execute("SET LOCAL jit = off")
    version = input_version(cur, layer, month)
    yield
    record_layer(cur, layer, month, version)


def run_script(cur: psycopg.Cursor[Any], script: str, params: Mapping[str, object]) -> int:
    """Run a batch script's statements; returns the rows its INSERTs wrote (counted from their
    command tags: no count of the month afterwards)."""
    written = 0
    for statement in sql_statements(script):
        cur.execute(statement.encode(), params)
        if (cur.statusmessage or "").startswith("INSERT"):
            written += cur.rowcount
    return written


def script_digest(*scripts: str) -> str:
    """The scripts' text, digested: a layer built by other SQL is built again whole."""
    return hashlib.sha256("".join(sql_text(script) for script in scripts).encode()).hexdigest()[:16]


def delete_month(
    cur: psycopg.Cursor[Any],
    table: str,
    month: date,
    column: str | None = None,
    values: Sequence[str] = (),
    pricing_views: Sequence[str] | None = None,
) -> int:
    """Empty the month of a month-partitioned table (or its rows whose `column` is one of
    `values`) with DELETE, not TRUNCATE: TRUNCATE is not MVCC-safe (a reader whose snapshot
    predates it, such as an API query or another run's check that waited on its lock, then sees
    the month empty) and it blocks every reader of the month until commit; a DELETE lets readers
    go on with the old rows until the new ones commit. Returns the rows deleted: their partition
    is vacuumed once the transaction commits (month_partitions.vacuum_month_partitions).
    `pricing_views`: only those views' rows."""
    statement = sql.SQL("DELETE FROM finops.{} WHERE month = %s").format(sql.Identifier(table))
    params: list[object] = [month]
    if column is not None:
        statement += sql.SQL(" AND {} = ANY(%s)").format(sql.Identifier(column))
        params.append(list(values))
    if pricing_views is not None:
        statement += sql.SQL(" AND pricing_view_code = ANY(%s)")
        params.append(list(pricing_views))
    cur.execute(statement, params)
    return cur.rowcount


@dataclass(frozen=True)
class RollupRefresh:
    families: list[str] | None
    """The families whose roll-ups were rebuilt in every view; None: the whole month."""
    applications: int | None
    """The applications whose cost_by_application rows were rebuilt; None: all of them."""
    cost_view_families: list[str]
    """The families whose roll-ups were rebuilt in `actual` and `actual-rate` alone: their
    products' rows changed in their cost alone (mart/valuation.py)."""

    def summary(self, month: str) -> str:
        """One line of the run's log."""
        if self.families is None:
            return f"rebuilt the roll-ups of {month} whole"
        alone = self.cost_view_families
        views = f" and {len(alone)} in {' and '.join(COST_VIEWS)} alone" if alone else ""
        return (
            f"rebuilt the roll-ups of {month} where the valuation changed them: {len(self.families)} "
            f"family(ies) in every view{views}, {self.applications} application(s)"
        )


@dataclass(frozen=True)
class _Revalued:
    families: list[str]
    """Rebuilt in every view."""
    cost_view_families: list[str]
    """Rebuilt in the views of COST_VIEWS alone (and not in `families`)."""


def _revalued(cur: psycopg.Cursor[Any], month: date) -> _Revalued | None:
    """The families the valuations since the last refresh rewrote, and in which views, taken
    (deleted) in this transaction; None when one valued the whole month or when none is
    recorded. A family a valuation rewrote in every view is rebuilt in every view."""
    cur.execute(
        "DELETE FROM finops.revalued_families WHERE month = %s RETURNING family_codes, pricing_view_codes",
        [month],
    )
    valuations = cur.fetchall()
    if not valuations or any(families is None for families, _ in valuations):
        return None
    every: set[str] = set()
    cost_views: set[str] = set()
    for families, views in valuations:
        # the valuation writes every view or COST_VIEWS (valuation.py): anything else, every view
        (cost_views if views is not None and set(views) <= set(COST_VIEWS) else every).update(families)
    return _Revalued(sorted(every), sorted(cost_views - every))


def rollup_parameters(
    month: date,
    families: list[str] | None = None,
    cost_view_families: Sequence[str] = (),
    applications: list[str] | None = None,
    application_views: Sequence[str] | None = None,
) -> dict[str, object]:
    """The roll-up script's parameters (refresh_cost_rollups.sql): the whole month by default."""
    return {
        "month": month,
        "families": families,
        "cost_view_families": list(cost_view_families),
        "cost_views": list(COST_VIEWS),
        "applications": applications,
        "application_views": None if application_views is None else list(application_views),
    }


def _delete_families(
    cur: psycopg.Cursor[Any], table: str, month: date, families: list[str], cost_view_families: list[str]
) -> int:
    """delete_month of a roll-up keyed by family: the rows of `families`, and those of
    `cost_view_families` in COST_VIEWS."""
    statement = sql.SQL(
        "DELETE FROM finops.{} WHERE month = %s AND (family_code = ANY(%s)"
        " OR (family_code = ANY(%s) AND pricing_view_code = ANY(%s)))"
    ).format(sql.Identifier(table))
    cur.execute(statement, [month, families, cost_view_families, list(COST_VIEWS)])
    return cur.rowcount


def _applications_of(cur: psycopg.Cursor[Any], month: date, families: list[str]) -> set[str]:
    cur.execute(sql_text(ROLLUP_APPLICATIONS).encode(), {"month": month, "families": families})
    return {str(row[0]) for row in cur.fetchall()}


def refresh_rollups(mart: Mart, month: date, whole: bool = False) -> RollupRefresh:
    """Rebuild the month's roll-ups from cost_by_product: only the families its valuations
    since the last refresh rewrote, in the views they rewrote them in, when they recorded them
    and the roll-ups' SQL is the one the month was last built by; else (or when `whole`) the
    whole month.

    Each roll-up is emptied (of the families' or the applications' rows) just before it is
    refilled, and cost_by_product is read once, by the first: a valuation committing meanwhile
    is in all of them or in none (its families stay recorded for the next refresh)."""
    ensure_month_partitions(mart, tuple(ROLLUPS), month)
    basis = script_digest(ROLLUP_SCRIPT, ROLLUP_APPLICATIONS) + repr(dict(ROLLUPS))
    with (
        connection(mart) as conn,
        conn.transaction(),
        conn.cursor() as cur,
        month_layer(cur, "cost_views", tuple(ROLLUPS), month),
    ):
        revalued = _revalued(cur, month)
        if whole or recorded_basis(cur, "cost_views", month) != basis:
            revalued = None
        families = None if revalued is None else revalued.families
        alone = [] if revalued is None else revalued.cost_view_families
        touched = None if families is None else families + alone
        # an application's rows in every view when one of its families changed in every view
        application_views = list(COST_VIEWS) if families == [] else None
        # the applications the families had before, and (below) the ones they have after
        applications = None if touched is None else _applications_of(cur, month, touched)
        rewritten: list[str] = []
        for (table, column), statement in zip(ROLLUPS.items(), sql_statements(ROLLUP_SCRIPT), strict=True):
            if families is None or column is None:
                deleted = delete_month(cur, table, month)
            elif column == "family_code":
                deleted = _delete_families(cur, table, month, families, alone)
            else:
                assert applications is not None and touched is not None
                applications |= _applications_of(cur, month, touched)
                deleted = delete_month(cur, table, month, column, sorted(applications), application_views)
            if deleted:
                rewritten.append(table)
            only = None if applications is None else sorted(applications)
            params = rollup_parameters(month, families, alone, only, application_views)
            cur.execute(statement.encode(), params)
        record_basis(cur, "cost_views", month, basis)
    vacuum_month_partitions(mart, rewritten, month)
    return RollupRefresh(families, None if applications is None else len(applications), alone)
