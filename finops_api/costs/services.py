"""Cost queries over the read models: the smallest one that holds every key asked for
(finops_api/costs/read_models.py).

A request reads one side (/costs) or two (/costs/compare, /costs/variance). A side is one
pricing view over a month range; a simulation view's side is its base view's rows with the
simulation's adjustments applied (api/cost_side_simulated.sql).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TypeVar

import msgspec
from litestar import Request
from litestar.di import NamedDependency
from psycopg import sql
from psycopg.rows import dict_row

from finops_api.costs.read_models import (
    DIMENSIONS,
    GROUP_KEYS,
    SCOPE_LEVELS,
    TIME_KEYS,
    WIDE_SCOPE_LEVELS,
    ReadModel,
    choose_read_model,
)
from finops_api.costs.schemas import AgainstPeriod, CompareRow, CostRow, VarianceRow
from finops_api.data_version import data_version
from finops_api.db import Pool
from finops_api.pagination import Page
from finops_api.version_memo import VersionMemo, kept, version_memo
from finops_core.sql import sql_text

FILTER_KEYS: tuple[str, ...] = ("source", "application", "owner", "domain", "family", "product", "currency")
DEFAULT_GROUP_BY = "month,application"
OwnerAsOf = Literal["month", "current"]
CostSort = Literal["keys", "cost_desc"]
"""Rows in the group keys' order, or the largest priced cost first (then the keys)."""
CompareSort = Literal["keys", "delta_desc"]
"""Rows in the group keys' order, or the largest change first in absolute value (then the keys)."""
PERIOD_SHIFTS: Mapping[AgainstPeriod, int] = {"previous_month": 1, "previous_quarter": 3, "previous_year": 12}
"""How many months an against_period moves the range back."""
VISIBLE = "visible_applications"
"""The bind parameter of the applications a viewer may see."""
IN_CURRENCY = "in_currency"
"""The bind parameter of the currency a converted request's amounts are given in."""

Statement = tuple[sql.Composed, dict[str, object]]
"""A composed statement and its bind parameters."""
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


@dataclass(frozen=True)
class CostSide:
    """One pricing view over a month range."""

    view: str
    read_view: str
    """The view itself, or the base view of a simulation (CostContext.read_view)."""
    first_month: date
    last_month: date
    shift: int = 0
    """Months added to each month read before it is grouped: an against period's rows are
    labelled with the months they are compared with."""
    scopes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """A simulation's scopes (CostContext.scopes): the codes, per level, its adjustments touch."""
    preview: str | None = None
    """A preview's adjustments, a JSON array of rows (api/preview_adjustment_rows.sql), applied
    to read_view's rows instead of a saved simulation's."""

    @property
    def simulated(self) -> bool:
        return self.view != self.read_view or self.preview is not None


@dataclass(frozen=True)
class CostQuery:
    group_by: Sequence[str]
    """API keys, in the order rows are sorted by; must include currency."""
    filters: Mapping[str, Sequence[str]]
    """API key -> accepted values; a key with no values does not filter."""
    owner_as_of: OwnerAsOf = "month"
    """`month`: the owner in the month reported; `current`: the application's owner today."""
    applications: Sequence[str] | None = None
    """The applications the caller may see (finops_api/auth/visibility.py); None: all."""
    in_currency: str | None = None
    """The currency every amount is converted into with its month's FX rate; None: each
    amount in its own currency."""

    def validate(self) -> None:
        unknown = (set(self.group_by) - set(GROUP_KEYS)) | (set(self.filters) - set(FILTER_KEYS))
        if unknown or "currency" not in self.group_by:
            raise ValueError(f"invalid cost query: {self}")

    @property
    def filtered_keys(self) -> list[str]:
        return [name for name, values in self.filters.items() if values]

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {name: list(self.filters[name]) for name in self.filtered_keys}
        if self.applications is not None:
            params[VISIBLE] = list(self.applications)
        if self.in_currency is not None:
            params[IN_CURRENCY] = self.in_currency
        return params

    def scoped(self, group_by: Sequence[str]) -> CostQuery:
        """The same filters and visibility over other keys."""
        return CostQuery(group_by, self.filters, self.owner_as_of, self.applications, self.in_currency)


def _filters(query: CostQuery, column: Callable[[str], sql.Composable]) -> sql.Composed:
    """The query's filters over the read model r, a key's column given by `column`, and those
    of a caller who sees only some applications. The placeholders are named after the keys,
    themselves from the fixed list; a currency filter takes the rows' own currency, before any
    conversion."""
    return sql.SQL(" ").join(
        [
            *(
                sql.SQL("AND {} = ANY({})").format(
                    sql.Identifier("r", DIMENSIONS[name]) if name == "currency" else column(name),
                    sql.Placeholder(name),
                )
                for name in query.filtered_keys
            ),
            *(
                [sql.SQL("AND r.application_code = ANY({})").format(sql.Placeholder(VISIBLE))]
                if query.applications is not None
                else []
            ),
        ]
    )


def _keys(names: Iterable[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def compose_adjustment(
    model: ReadModel,
    read: Sequence[str],
    applied: Sequence[str],
    replaced: Sequence[str],
    fragments: Mapping[str, sql.Composable],
    prefix: str,
) -> sql.Composed:
    """One part of a simulation's adjustment (api/cost_side_adjustment.sql): the rows of model in
    the scopes of the read levels, under the adjustments of the applied levels instead of those
    of the replaced levels (none: the base cost); fragments and prefix are compose_side's."""

    def levels(names: Sequence[str]) -> sql.Composable:
        return sql.SQL(", ").join(sql.Literal(name) for name in names)

    return sql.SQL(sql_text("api/cost_side_adjustment.sql")).format(
        read_model=sql.Identifier("finops", model.table),
        in_scope=sql.SQL(" OR ").join(
            sql.SQL("{} = ANY({})").format(
                sql.Identifier("r", DIMENSIONS[level]), sql.Placeholder(f"{prefix}scope_{level}")
            )
            for level in read
        ),
        scope_cases=sql.SQL(" ").join(
            sql.SQL("WHEN {} THEN {}").format(sql.Literal(level), sql.Identifier("r", DIMENSIONS[level]))
            for level in applied
        ),
        applied_levels=levels(applied),
        replaced_filter=sql.SQL("a.scope_level IN ({})").format(levels(replaced))
        if replaced
        else sql.SQL("false"),
        **fragments,
    )


def _adjustment_rows(side: CostSide, placeholder: Callable[[str], sql.Placeholder]) -> sql.Composed:
    """The adjustments a simulated side applies: a saved simulation's, or a preview's."""
    if side.preview is None:
        return sql.SQL(sql_text("api/simulation_adjustment_rows.sql")).format(view=placeholder("view"))
    return sql.SQL(sql_text("api/preview_adjustment_rows.sql")).format(adjustments=placeholder("adjustments"))


def compose_side(query: CostQuery, side: CostSide, prefix: str) -> Statement:
    """The grouped rows of one side (api/cost_side.sql), with its bind parameters, named with
    prefix so that two sides can share a statement; the filters' parameters are the query's."""
    current_owner = query.owner_as_of == "current" and (
        "owner" in query.group_by or bool(query.filters.get("owner"))
    )
    month: sql.Composable = sql.SQL("r.month")
    if side.shift:
        month = sql.SQL("(r.month + {} * interval '1 month')").format(sql.Literal(side.shift))
    converted = query.in_currency is not None
    in_currency = sql.Placeholder(IN_CURRENCY)
    # a row's FX rate into in_currency (api/costs_fx_rate.sql); its own currency's is 1
    rate = sql.SQL("CASE WHEN r.currency = {} THEN 1 ELSE fx.rate END").format(in_currency)

    def column(name: str) -> sql.Composable:
        if name == "currency" and converted:
            return sql.SQL("{}::text").format(in_currency)
        if name in TIME_KEYS:
            return sql.SQL("to_char({}, {})").format(month, sql.Literal(TIME_KEYS[name]))
        if name == "owner" and current_owner:
            return sql.SQL("coalesce(current_owner.owner, '')")
        return sql.Identifier("r", DIMENSIONS[name])

    def placeholder(name: str) -> sql.Placeholder:
        return sql.Placeholder(prefix + name)

    fragments: dict[str, sql.Composable] = {
        "select_keys": sql.SQL(", ").join(
            sql.SQL("{} AS {}").format(column(name), sql.Identifier(name)) for name in query.group_by
        ),
        "joins": sql.SQL("\n").join(
            [
                sql.SQL(sql_text("api/costs_current_owner.sql") if current_owner else ""),
                sql.SQL(sql_text("api/costs_fx_rate.sql")).format(in_currency=in_currency)
                if converted
                else sql.SQL(""),
            ]
        ),
        "filters": _filters(query, column),
        "group_keys": sql.SQL(", ").join(column(name) for name in query.group_by),
        "view": placeholder("view"),
        "read_view": placeholder("read_view"),
        "first_month": placeholder("first_month"),
        "last_month": placeholder("last_month"),
        "keys": _keys(query.group_by),
        "adjustment_rows": _adjustment_rows(side, placeholder),
        "cost": sql.SQL("r.cost * {}").format(rate) if converted else sql.SQL("r.cost"),
        "quantity": sql.SQL("r.quantity * {}").format(rate) if converted else sql.SQL("r.quantity"),
    }
    # the current owner is looked up by application, and a viewer's rows are chosen by it
    by_application = current_owner or query.applications is not None
    needed = [*query.group_by, *query.filtered_keys, *(["application"] if by_application else [])]
    model = choose_read_model(needed)
    base = sql.SQL(sql_text("api/cost_side.sql")).format(
        unit_min=model.unit_min,
        unit_max=model.unit_max,
        units=model.units,
        # a row without an FX rate is not priced (in_currency; refused before: missing_fx_rates)
        priced=sql.SQL("({} AND {} IS NOT NULL)").format(model.priced, rate) if converted else model.priced,
        read_model=sql.Identifier("finops", model.table),
        **fragments,
    )
    params = {
        prefix + "view": side.view,
        prefix + "read_view": side.read_view,
        prefix + "first_month": side.first_month,
        prefix + "last_month": side.last_month,
    }
    levels = [level for level in SCOPE_LEVELS if side.scopes.get(level)]
    if not side.simulated or not levels:
        return base, params
    # Domain and family scopes hold many rows: they are read from the smallest model holding
    # them with the keys (a roll-up, unless the keys need cost_by_product), and applied alone;
    # only the other scopes' rows are read from a model holding every level
    # (api/cost_side_adjustment.sql).
    wide = [level for level in levels if level in WIDE_SCOPE_LEVELS]
    held_model = choose_read_model([*needed, *wide]) if wide else model
    held = [level for level in levels if level in held_model.dimensions]
    others = [level for level in levels if level not in held_model.dimensions]
    parts = []
    if held:
        parts.append(
            compose_adjustment(
                held_model, read=held, applied=held, replaced=[], fragments=fragments, prefix=prefix
            )
        )
    if others:
        wider = choose_read_model([*needed, *levels])
        parts.append(
            compose_adjustment(
                wider, read=others, applied=levels, replaced=held, fragments=fragments, prefix=prefix
            )
        )
    simulated = sql.SQL(sql_text("api/cost_side_simulated.sql")).format(
        keys=_keys(query.group_by),
        base=base,
        adjustments=sql.SQL(" UNION ALL ").join(sql.SQL("({})").format(part) for part in parts),
    )
    scope_params = {f"{prefix}scope_{level}": list(side.scopes[level]) for level in levels}
    preview_params = {} if side.preview is None else {f"{prefix}adjustments": side.preview}
    return simulated, {**params, **scope_params, **preview_params}


def _page_sql(page: Page | None) -> sql.Composable:
    return page.sql() if page is not None else sql.SQL("")


def compose_cost_query(
    query: CostQuery, side: CostSide, page: Page | None = None, sort: CostSort = "keys"
) -> Statement:
    """page: one page of the rows (and the row past it); None: every row (the export)."""
    statement, params = compose_side(query, side, "")
    order = _keys(query.group_by)
    if sort == "cost_desc":
        order = sql.SQL("CASE WHEN side.priced THEN side.cost END DESC NULLS LAST, {}").format(order)
    composed = sql.SQL(sql_text("api/costs.sql")).format(
        keys=_keys(query.group_by), side=statement, order=order, page=_page_sql(page)
    )
    return composed, {**params, **query.params()}


def compose_two_sides(
    template: str,
    query: CostQuery,
    side: CostSide,
    against: CostSide,
    side_keys: Sequence[str],
    page: Page | None = None,
    order: sql.Composable | None = None,
) -> Statement:
    """A statement over two sides grouped by side_keys (api/costs_compare.sql,
    api/costs_variance.sql), rows by the query's keys; `order`: the compare's ORDER BY, the
    query's keys by default."""
    side_query = query.scoped(side_keys)
    statement, params = compose_side(side_query, side, "")
    against_statement, against_params = compose_side(side_query, against, "against_")
    composed = sql.SQL(sql_text(template)).format(
        keys=_keys(query.group_by),
        side_keys=_keys(side_keys),
        side=statement,
        against_side=against_statement,
        order=order if order is not None else _keys(query.group_by),
        page=_page_sql(page),
    )
    return composed, {**params, **against_params, **query.params()}


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
        order = _keys(query.group_by)
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
        statement = compose_two_sides("api/costs_variance.sql", query, side, against, side_keys, page)
        return await self._rows(statement, VarianceRow)


async def provide_cost_service(
    request: Request[Any, Any, Any], cost_pool: NamedDependency[Pool]
) -> CostService:
    """On the cost pool, context query included: it reads the read models too, and must not
    hold a cheap connection while they are busy (finops_api/db.py). Contexts are kept per data
    version of the cost pool's server (taken before any row is read)."""
    version = await data_version(request, cost_pool)
    return CostService(cost_pool, version_memo(request.app.state), version)
