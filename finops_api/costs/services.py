"""Cost queries over the read models: the smallest one that holds every key asked for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import msgspec
from litestar.di import NamedDependency
from psycopg import sql
from psycopg.rows import dict_row

from finops_api.costs.schemas import CostRow
from finops_api.db import Pool
from finops_core.sql import sql_text

# API name -> read-model column. The only identifiers a client can have put into a query.
DIMENSIONS: Mapping[str, str] = {
    "month": "month",
    "source": "source",
    "application": "application_code",
    "owner": "owner",
    "domain": "domain_code",
    "family": "family_code",
    "product": "product_code",
    "currency": "currency",
}
GROUP_KEYS: tuple[str, ...] = tuple(DIMENSIONS)
FILTER_KEYS: tuple[str, ...] = ("source", "application", "owner", "domain", "family", "product", "currency")
DEFAULT_GROUP_BY = "month,application"
OwnerAsOf = Literal["month", "current"]
# Every read model is keyed by month, pricing view and currency.
_IN_EVERY_MODEL = frozenset({"month", "currency"})


@dataclass(frozen=True)
class ReadModel:
    table: str
    dimensions: frozenset[str]
    """API keys it can group or filter by, besides month and currency."""
    unit_min: sql.Composable
    unit_max: sql.Composable
    priced: sql.Composable
    """True for a row whose cost is complete."""


# Smallest first. The roll-ups carry the unit range and the priced flag of the rows they sum;
# cost_by_product has one unit per row and a NULL cost where there is no price.
READ_MODELS: tuple[ReadModel, ...] = (
    ReadModel(
        "cost_by_application",
        frozenset({"application", "owner"}),
        sql.Identifier("r", "unit_min"),
        sql.Identifier("r", "unit_max"),
        sql.Identifier("r", "fully_priced"),
    ),
    ReadModel(
        "cost_by_family",
        frozenset({"source", "domain", "family"}),
        sql.Identifier("r", "unit_min"),
        sql.Identifier("r", "unit_max"),
        sql.Identifier("r", "fully_priced"),
    ),
    ReadModel(
        "cost_by_product",
        frozenset({"source", "application", "owner", "domain", "family", "product"}),
        sql.Identifier("r", "unit"),
        sql.Identifier("r", "unit"),
        sql.SQL("r.cost IS NOT NULL"),
    ),
)


def choose_read_model(keys: Iterable[str]) -> ReadModel:
    """The first (smallest) read model holding every key; cost_by_product holds them all."""
    needed = frozenset(keys) - _IN_EVERY_MODEL
    unknown = needed - READ_MODELS[-1].dimensions
    if unknown:
        raise ValueError(f"not a cost dimension: {', '.join(sorted(unknown))}")
    return next(model for model in READ_MODELS if needed <= model.dimensions)


@dataclass(frozen=True)
class CostContext:
    view_known: bool
    first_month: date | None
    """First month with data in the view; None when it has none."""
    last_month: date | None


@dataclass(frozen=True)
class CostQuery:
    view: str
    first_month: date
    last_month: date
    group_by: Sequence[str]
    """API keys, in the order rows are sorted by; must include currency."""
    filters: Mapping[str, Sequence[str]]
    """API key -> accepted values; a key with no values does not filter."""
    owner_as_of: OwnerAsOf = "month"
    """`month`: the owner in the month reported; `current`: the application's owner today."""


def compose_cost_query(query: CostQuery, model: ReadModel) -> sql.Composed:
    current_owner = query.owner_as_of == "current" and (
        "owner" in query.group_by or bool(query.filters.get("owner"))
    )

    def column(name: str) -> sql.Composable:
        if name == "owner" and current_owner:
            return sql.SQL("coalesce(current_owner.owner, '')")
        return sql.Identifier("r", DIMENSIONS[name])

    select_keys = [
        sql.SQL("{} AS {}").format(
            sql.SQL("to_char(r.month, 'YYYY-MM')") if name == "month" else column(name), sql.Identifier(name)
        )
        for name in query.group_by
    ]
    filters = [
        # the placeholder is named after the key, itself from the fixed list
        sql.SQL("AND {} = ANY({})").format(column(name), sql.Placeholder(name))
        for name, values in query.filters.items()
        if values
    ]
    return sql.SQL(sql_text("api/costs.sql")).format(
        select_keys=sql.SQL(", ").join(select_keys),
        unit_min=model.unit_min,
        unit_max=model.unit_max,
        priced=model.priced,
        read_model=sql.Identifier("finops", model.table),
        joins=sql.SQL(sql_text("api/costs_current_owner.sql") if current_owner else ""),
        filters=sql.SQL(" ").join(filters),
        group_keys=sql.SQL(", ").join(column(name) for name in query.group_by),
    )


class CostService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def context(self, view: str) -> CostContext:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/costs_context.sql"), {"view": view})
            row = await cur.fetchone()
        if row is None:  # the query always returns one row
            raise RuntimeError("costs_context.sql returned no row")
        return CostContext(**row)

    async def costs(self, query: CostQuery) -> list[CostRow]:
        unknown = (set(query.group_by) - set(GROUP_KEYS)) | (set(query.filters) - set(FILTER_KEYS))
        if unknown or "currency" not in query.group_by:
            raise ValueError(f"invalid cost query: {query}")
        model = choose_read_model([*query.group_by, *(k for k, v in query.filters.items() if v)])
        params: dict[str, object] = {
            "view": query.view,
            "first_month": query.first_month,
            "last_month": query.last_month,
            **{name: list(values) for name, values in query.filters.items() if values},
        }
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(compose_cost_query(query, model), params)
            rows = await cur.fetchall()
        return msgspec.convert(rows, list[CostRow])


def provide_cost_service(db_pool: NamedDependency[Pool]) -> CostService:
    return CostService(db_pool)
