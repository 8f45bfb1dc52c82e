"""Which consumption each layer of a month was built from (finops.month_publication).

A month's run is five steps, each its own transaction: billing lines, the consumption load,
allocation, valuation, cost views. A run stopped between two of them leaves layers built from
different loads, and the read models then disagree with each other (cost_by_product new, the
roll-ups old). Each step records, in the transaction that rewrites its layer, the version of
the layer it read; the API reports a month whose versions differ as stale
(finops_api/publication/), and the next run that reaches the cost views mends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import psycopg
from psycopg import sql

from finops_core.sql import sql_text

Layer = Literal["allocation", "valuation", "cost_views"]
"""A layer rebuilt from another; consumption is the first, changed by loads."""
INPUTS: Mapping[Layer, str] = {
    "allocation": "consumption",
    "valuation": "allocation",
    "cost_views": "valuation",
}


def _version_column(layer: str) -> sql.Identifier:
    return sql.Identifier(f"{layer}_version")


def record_load(cur: psycopg.Cursor[Any], month: date) -> None:
    """In the load's transaction: the month's consumption changed."""
    cur.execute(sql_text("batch/publication/record_load.sql").encode(), {"month": month})


def input_version(cur: psycopg.Cursor[Any], layer: Layer, month: date) -> int:
    """The version of the input of `layer`, read first in the transaction that rebuilds the
    month of `layer` (after its lock, so that runs record versions in the order they rebuild)."""
    statement = sql.SQL(sql_text("batch/publication/input_version.sql")).format(
        input=_version_column(INPUTS[layer])
    )
    row = cur.connection.execute(statement, {"month": month}).fetchone()
    return int(row[0]) if row else 0


def record_layer(cur: psycopg.Cursor[Any], layer: Layer, month: date, version: int) -> None:
    """Last in the same transaction: the month of `layer` is now built from `version`."""
    cur.connection.execute(
        sql.SQL(sql_text("batch/publication/record_layer.sql")).format(layer=_version_column(layer)),
        {"month": month, "version": version},
    )


BuiltLayer = Literal["valuation", "cost_views"]
"""A layer built only where its input changed, when its basis is the one recorded."""


def _basis_column(layer: BuiltLayer) -> sql.Identifier:
    return sql.Identifier(f"{layer}_basis")


def recorded_basis(cur: psycopg.Cursor[Any], layer: BuiltLayer, month: date) -> str | None:
    """What the month's `layer` was last built on besides its input (migrations/0025); None
    when it was never recorded."""
    statement = sql.SQL("SELECT {basis} FROM finops.month_publication WHERE month = %(month)s").format(
        basis=_basis_column(layer)
    )
    row = cur.connection.execute(statement, {"month": month}).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def record_basis(cur: psycopg.Cursor[Any], layer: BuiltLayer, month: date, basis: str | None) -> None:
    """In the transaction that built the month's `layer` on `basis` (None: on no one basis,
    so that the next build is whole)."""
    statement = sql.SQL(
        "INSERT INTO finops.month_publication AS p (month, {basis}) VALUES (%(month)s, %(basis)s)"
        " ON CONFLICT (month) DO UPDATE SET {basis} = EXCLUDED.{basis}"
    ).format(basis=_basis_column(layer))
    cur.connection.execute(statement, {"month": month, "basis": basis})
