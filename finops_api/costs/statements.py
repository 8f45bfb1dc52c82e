"""The SQL of a costs request, composed from the sql/api templates over the smallest read model
that holds every key asked for (finops_api/costs/read_models.py): a side (api/cost_side.sql), a
simulation's adjustments (api/cost_side_adjustment.sql), and the statements over one side or
two (api/costs.sql, api/costs_compare.sql, api/costs_variance.sql)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Literal

from psycopg import sql

from finops_api.costs.read_models import (
    DIMENSIONS,
    SCOPE_LEVELS,
    TIME_KEYS,
    WIDE_SCOPE_LEVELS,
    ReadModel,
    choose_read_model,
)
from finops_api.costs.sides import IN_CURRENCY, VISIBLE, CostQuery, CostSide, Statement
from finops_api.pagination import Page
from finops_core.sql import sql_text

CostSort = Literal["keys", "cost_desc"]
"""Rows in the group keys' order, or the largest priced cost first (then the keys)."""


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


def keys_sql(names: Iterable[str]) -> sql.Composed:
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
    rate_month: sql.Composable = sql.SQL("r.month")
    if side.rate_shift:
        rate_month = sql.SQL("(r.month - {} * interval '1 month')::date").format(sql.Literal(side.rate_shift))
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
                sql.SQL(sql_text("api/costs_fx_rate.sql")).format(
                    in_currency=in_currency, rate_month=rate_month
                )
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
        "keys": keys_sql(query.group_by),
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
        keys=keys_sql(query.group_by),
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
    order = keys_sql(query.group_by)
    if sort == "cost_desc":
        order = sql.SQL("CASE WHEN side.priced THEN side.cost END DESC NULLS LAST, {}").format(order)
    composed = sql.SQL(sql_text("api/costs.sql")).format(
        keys=keys_sql(query.group_by), side=statement, order=order, page=_page_sql(page)
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
    at_against_rates: bool = False,
) -> Statement:
    """A statement over two sides grouped by side_keys (api/costs_compare.sql,
    api/costs_variance.sql), rows by the query's keys; `order`: the compare's ORDER BY, the
    query's keys by default. at_against_rates: the variance's third side, the period's costs
    converted at the against months' rates (the side itself when not converted)."""
    side_query = query.scoped(side_keys)
    statement, params = compose_side(side_query, side, "")
    against_statement, against_params = compose_side(side_query, against, "against_")
    fragments: dict[str, sql.Composable] = {}
    if at_against_rates and query.in_currency is not None:
        rated, rated_params = compose_side(side_query, replace(side, rate_shift=against.shift), "rated_")
        params |= rated_params
        fragments["rated_join"] = sql.SQL("LEFT JOIN ({}) AS r0 USING ({})").format(
            rated, keys_sql(side_keys)
        )
        fragments["c1_at_against_rates"] = sql.SQL("r0.cost")
    elif at_against_rates:
        fragments["rated_join"] = sql.SQL("")
        fragments["c1_at_against_rates"] = sql.SQL("a.cost")
    composed = sql.SQL(sql_text(template)).format(
        keys=keys_sql(query.group_by),
        side_keys=keys_sql(side_keys),
        side=statement,
        against_side=against_statement,
        order=order if order is not None else keys_sql(query.group_by),
        page=_page_sql(page),
        **fragments,
    )
    return composed, {**params, **against_params, **query.params()}
