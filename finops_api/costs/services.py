"""Cost queries over the read models (their SQL: finops_api/costs/statements.py).

A request reads one side (/costs) or two (/costs/compare, /costs/variance). A side is one
pricing view over a month range; a simulation view's side is its base view's rows with the
simulation's adjustments applied (api/cost_side_simulated.sql).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

import msgspec
from litestar import Request
from litestar.di import NamedDependency
from psycopg import sql
from psycopg.rows import dict_row

from finops_api.costs.read_models import TIME_KEYS
from finops_api.costs.schemas import AgainstPeriod, CompareRow, CostRow, VarianceRow
from finops_api.costs.sides import IN_CURRENCY, CostQuery, CostSide, Statement
from finops_api.costs.statements import (
    CostSort,
    compose_cost_query,
    compose_side,
    compose_two_sides,
    keys_sql,
)
from finops_api.data_version import data_version
from finops_api.db import Pool
from finops_api.pagination import Page
from finops_api.version_memo import VersionMemo, kept, version_memo
from finops_core.sql import sql_text

DEFAULT_GROUP_BY = "month,application"
CompareSort = Literal["keys", "delta_desc"]
"""Rows in the group keys' order, or the largest change first in absolute value (then the keys)."""
PERIOD_SHIFTS: Mapping[AgainstPeriod, int] = {"previous_month": 1, "previous_quarter": 3, "previous_year": 12}
"""How many months an against_period moves the range back."""

Row = TypeVar("Row", CostRow, CompareRow, VarianceRow)


@dataclass(frozen=True)
class CostContext:
    view_known: bool
    read_view: str | None
    """The view whose rows the read models hold: the view itself, or a simulation's base view."""
    first_month: date | None
    """First month with data in the view; None when it has none."""
    last_month: date | None
    scopes: Mapping[str, Sequence[str]] | None = None
    """A simulation's scopes, level -> codes (SCOPE_LEVELS); None when it has no adjustment."""


class CostService:
    def __init__(self, pool: Pool, memo: VersionMemo | None = None, version: str = "") -> None:
        """memo: where a view's context is kept for the request's data version (version)."""
        self._pool = pool
        self._memo = memo
        self._version = version

    async def context(self, view: str) -> CostContext:
        async def read() -> CostContext:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(sql_text("api/costs_context.sql"), {"view": view})
                row = await cur.fetchone()
            if row is None:  # the query always returns one row
                raise RuntimeError("costs_context.sql returned no row")
            return CostContext(**row)

        # an unknown view is not kept: a rate card view appears with the batch's referentials
        return await kept(self._memo, self._version, ("costs_context", view), read, lambda c: c.view_known)

    async def _rows(self, statement: Statement, row_type: type[Row]) -> list[Row]:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(*statement)
            rows = await cur.fetchall()
        return msgspec.convert(rows, list[row_type])  # type: ignore[valid-type]

    async def costs(
        self, query: CostQuery, side: CostSide, page: Page, sort: CostSort = "keys"
    ) -> list[CostRow]:
        """The page's rows and the one past it (Page.cut)."""
        query.validate()
        return await self._rows(compose_cost_query(query, side, page, sort), CostRow)

    async def compare(
        self, query: CostQuery, side: CostSide, against: CostSide, page: Page, sort: CompareSort = "keys"
    ) -> list[CompareRow]:
        """The query's groups under both sides, matched on every group key (an against period's
        months are labelled with the months they are compared with)."""
        query.validate()
        order = keys_sql(query.group_by)
        if sort == "delta_desc":
            order = sql.SQL("abs(cost - against_cost) DESC NULLS LAST, {}").format(order)
        statement = compose_two_sides(
            "api/costs_compare.sql", query, side, against, query.group_by, page, order
        )
        return await self._rows(statement, CompareRow)

    async def missing_fx_rates(self, query: CostQuery, side: CostSide) -> list[tuple[str, str]]:
        """The months (YYYY-MM) and currencies of side's priced costs, within the query's filters
        and the caller's sight, that have no FX rate into query.in_currency
        (api/missing_fx_rates.sql). A simulation's are its base view's: it changes costs only."""
        billed = CostQuery(["month", "currency"], query.filters, query.owner_as_of, query.applications)
        unshifted = CostSide(side.read_view, side.read_view, side.first_month, side.last_month)
        statement, params = compose_side(billed, unshifted, "")
        composed = sql.SQL(sql_text("api/missing_fx_rates.sql")).format(side=statement)
        async with self._pool.connection() as conn, conn.cursor() as cur:
            await cur.execute(composed, {**params, **billed.params(), IN_CURRENCY: query.in_currency})
            return [(str(month), str(currency)) for month, currency in await cur.fetchall()]

    async def variance(
        self, query: CostQuery, side: CostSide, against: CostSide, page: Page
    ) -> list[VarianceRow]:
        """The query's groups with their cost change split into volume, mix, price, unsplit, new and
        retired (api/costs_variance.sql); the sides are read per product."""
        query.validate()
        if set(query.group_by) & set(TIME_KEYS):
            raise ValueError(f"a variance is not grouped by period: {query}")
        side_keys = [*query.group_by, *([] if "product" in query.group_by else ["product"])]
        statement = compose_two_sides(
            "api/costs_variance.sql", query, side, against, side_keys, page, at_against_rates=True
        )
        return await self._rows(statement, VarianceRow)


async def provide_cost_service(
    request: Request[Any, Any, Any], cost_pool: NamedDependency[Pool]
) -> CostService:
    """On the cost pool, context query included: it reads the read models too, and must not
    hold a cheap connection while they are busy (finops_api/db.py). Contexts are kept per data
    version of the cost pool's server (taken before any row is read)."""
    version = await data_version(request, cost_pool)
    return CostService(cost_pool, version_memo(request.app.state), version)
