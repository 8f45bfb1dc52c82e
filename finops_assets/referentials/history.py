"""Applying a declared referential to a history-keeping dimension (SCD type 2), as of a month.

A changed attribute closes the current version at the month and opens a new one; a code absent
from the declaration is soft-deleted; a code that comes back gets a new version. Declarations
are applied in month order: applying one to a month before the latest version is refused, since
it would rewrite history that later months already report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from finops_core.months import format_month
from finops_core.sql import sql_statements


class HistoryOrderError(ValueError):
    pass


@dataclass(frozen=True)
class Dimension:
    table: str
    code: str
    attributes: tuple[str, ...]
    types: tuple[str, ...]
    """SQL types of the attributes, for the staging table."""


DOMAIN = Dimension("dim_domain", "domain_code", ("name", "kind"), ("text", "text"))
FAMILY = Dimension("dim_family", "family_code", ("domain_code", "name"), ("text", "text"))
APPLICATION = Dimension(
    "dim_application",
    "application_code",
    ("name", "owner", "cost_center", "entity_ref", "lifecycle"),
    ("text", "text", "text", "text", "text"),
)
GROUP = Dimension(
    "dim_group", "group_ref", ("name", "parent_ref", "member_count"), ("text", "text", "integer")
)
PRODUCT = Dimension(
    "dim_product",
    "product_code",
    ("family_code", "name", "unit", "description", "active"),
    ("text", "text", "text", "text", "boolean"),
)


def _statements(dimension: Dimension) -> list[sql.Composed]:
    def columns(prefix: str) -> sql.Composable:
        return sql.SQL(", ").join(sql.Identifier(prefix, a) for a in dimension.attributes)

    parts = {
        "table": sql.Identifier("finops", dimension.table),
        "code": sql.Identifier(dimension.code),
        "attributes": sql.SQL(", ").join(sql.Identifier(a) for a in dimension.attributes),
        "current_attributes": columns("t"),
        "staged_attributes": columns("s"),
        "staged_columns": columns("s"),
    }
    return [sql.SQL(text).format(**parts) for text in sql_statements("batch/referentials/apply_versions.sql")]


def apply_declaration(
    cur: psycopg.Cursor[Any], dimension: Dimension, rows: Sequence[tuple[Any, ...]], month: date
) -> None:
    """Make the dimension's current versions match `rows` ((code, *attributes)) from `month` on."""
    later = cur.execute(
        sql.SQL("SELECT max(valid_from) FROM {} WHERE NOT is_auto").format(
            sql.Identifier("finops", dimension.table)
        )
    ).fetchone()
    if later and later[0] and later[0] > month:
        raise HistoryOrderError(
            f"{dimension.table} has versions from {format_month(later[0])}; a declaration for "
            f"{format_month(month)} would rewrite history: apply {format_month(later[0])} or a later month"
        )
    cur.execute("DROP TABLE IF EXISTS staged")
    cur.execute(
        sql.SQL("CREATE TEMP TABLE staged (code text PRIMARY KEY, {}) ON COMMIT DROP").format(
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(a), sql.SQL(t))
                for a, t in zip(dimension.attributes, dimension.types, strict=True)
            )
        )
    )
    with cur.copy(
        sql.SQL("COPY staged (code, {}) FROM STDIN").format(
            sql.SQL(", ").join(sql.Identifier(a) for a in dimension.attributes)
        )
    ) as copy:
        for row in rows:
            copy.write_row(row)
    for statement in _statements(dimension):
        cur.execute(statement, {"month": month})
