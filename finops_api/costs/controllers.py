from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from finops_api.answer_cache import keep_answers
from finops_api.auth.visibility import Visibility
from finops_api.caching import revalidate
from finops_api.costs.ranges import Range
from finops_api.costs.read_models import GROUP_KEYS, TIME_KEYS
from finops_api.costs.schemas import (
    AgainstPeriod,
    CompareReport,
    Comparison,
    CostReport,
    CostRow,
    VarianceReport,
)
from finops_api.costs.services import (
    DEFAULT_GROUP_BY,
    PERIOD_SHIFTS,
    CompareSort,
    CostContext,
    CostQuery,
    CostService,
    CostSide,
    CostSort,
    OwnerAsOf,
    provide_cost_service,
)
from finops_api.errors import InvalidParam, invalid_parameter, invalid_parameters, problem_responses
from finops_api.pagination import PAGE, Page
from finops_api.params import split_list
from finops_api.publication.schemas import StaleMonth
from finops_api.publication.services import PUBLICATION, PublicationService
from finops_core.entity_refs import canonical_ref
from finops_core.months import PERIOD_PATTERN
from finops_core.vocabulary import CURRENCY_PATTERN

View = Annotated[str, QueryParameter(description="Pricing view code (GET /api/v1/pricing-views).")]
From = Annotated[
    str | None,
    QueryParameter(
        name="from",
        pattern=PERIOD_PATTERN,
        description="First period included: a month YYYY-MM, or a quarter YYYY-Qn or a year YYYY "
        "(from its first month); default: the view's first month with data.",
    ),
]
To = Annotated[
    str | None,
    QueryParameter(
        pattern=PERIOD_PATTERN,
        description="Last period included: a month YYYY-MM, or a quarter YYYY-Qn or a year YYYY "
        "(to its last month); default: the view's last month with data.",
    ),
]
AsOf = Annotated[
    OwnerAsOf,
    QueryParameter(
        description="Which owner `owner` groups and filters by: the application's owner in the month "
        "reported (month), or its owner today for every month (current)."
    ),
]
InCurrency = Annotated[
    str | None,
    QueryParameter(
        pattern=CURRENCY_PATTERN,
        description="Every amount converted into this currency (an ISO 4217 code) at the FX rate of "
        "its month (fx_rate, from the pricing files' fx_rates.csv): currency then reads this code, "
        "and amounts billed in other currencies add up. Quantities are never converted. Refused "
        "(400) when a month of the range has costs, in the request's scope, in a currency without "
        "a rate into it. Default: every amount in its own currency.",
    ),
]
VARIANCE_KEYS: tuple[str, ...] = tuple(key for key in GROUP_KEYS if key not in TIME_KEYS)
"""A variance compares two whole periods: its rows are not split by month, quarter or year."""
_GROUP_BY_HELP = "rows are sorted in this order. currency is always added. Empty: one row per currency."
GroupBy = Annotated[
    str, QueryParameter(description=f"Comma-separated subset of {', '.join(GROUP_KEYS)}; {_GROUP_BY_HELP}")
]
_ERRORS = problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE)
_SERVICE = {"cost_service": Provide(provide_cost_service), **PUBLICATION}


def _list(description: str) -> object:
    return QueryParameter(description=f"Only these {description}, comma-separated.")


async def provide_cost_filters(
    source: Annotated[str | None, _list("sources")] = None,
    application: Annotated[str | None, _list("applications")] = None,
    owner: Annotated[
        str | None,
        QueryParameter(
            description="Only applications with these owners (Backstage group refs) in the month "
            "reported, comma-separated."
        ),
    ] = None,
    domain: Annotated[str | None, _list("domains")] = None,
    family: Annotated[str | None, _list("families")] = None,
    product: Annotated[str | None, _list("products")] = None,
    currency: Annotated[str | None, _list("currencies")] = None,
) -> dict[str, list[str]]:
    """The filters every costs endpoint takes, API key -> accepted values. A NUL character is
    refused here, before any answer starts: the export streams, and the database's refusal
    (errors.py, a 400 otherwise) would come after its headers, cutting the answer short."""
    filters = {
        "source": split_list(source),
        "application": split_list(application),
        "owner": [canonical_ref(ref) for ref in split_list(owner)],  # as stored (entity_refs.py)
        "domain": split_list(domain),
        "family": split_list(family),
        "product": split_list(product),
        "currency": split_list(currency),
    }
    if named := [key for key, values in filters.items() if any("\x00" in value for value in values)]:
        raise invalid_parameters(*(InvalidParam(key, "must not contain NUL characters") for key in named))
    return filters


COST_DEPENDENCIES = {**_SERVICE, **PAGE, "cost_filters": Provide(provide_cost_filters)}
"""What a costs endpoint needs besides its parameters."""


def group_keys(text: str, allowed: tuple[str, ...] = GROUP_KEYS) -> list[str]:
    """The group_by parameter as keys, currency added last when not asked for."""
    keys = split_list(text)
    unknown = [key for key in keys if key not in allowed]
    if unknown:
        raise invalid_parameter(
            "group_by",
            f"unknown key {', '.join(map(repr, unknown))}; "
            f"expected a comma-separated subset of {', '.join(allowed)}",
        )
    return keys if "currency" in keys else [*keys, "currency"]


def cost_query(
    keys: list[str],
    filters: dict[str, list[str]],
    owner_as_of: OwnerAsOf,
    visibility: Visibility,
    scoped_by: Sequence[str] = (),
    in_currency: str | None = None,
) -> CostQuery:
    """The query of a costs request, limited to what the caller may see; scoped_by: keys the
    request singles rows out by besides its group and filter keys (a preview's adjustment
    scopes: an application's alone reveals that application's cost)."""
    # Litestar checks a pattern with re.search, whose $ also matches before a final newline
    if in_currency is not None and not re.fullmatch(CURRENCY_PATTERN, in_currency):
        raise invalid_parameter("in_currency", f"expected an ISO 4217 code such as EUR, got {in_currency!r}")
    used = [*keys, *(name for name, values in filters.items() if values), *scoped_by]
    return CostQuery(keys, filters, owner_as_of, visibility.for_keys(used), in_currency)


MISSING_RATES_NAMED = 12
"""The months without an FX rate a refusal names, at most, per currency."""


async def convertible(cost_service: CostService, query: CostQuery, sides: Sequence[CostSide]) -> None:
    """Refuse a request converted into one currency (in_currency) when some month of its sides
    has costs in a currency without an FX rate into it: its groups would add some rows alone."""
    if query.in_currency is None:
        return
    missing: dict[str, set[str]] = {}
    for side in sides:
        for month, currency in await cost_service.missing_fx_rates(query, side):
            missing.setdefault(currency, set()).add(month)
    if not missing:
        return
    named = []
    for currency, months in sorted(missing.items()):
        shown = sorted(months)[:MISSING_RATES_NAMED]
        more = f" and {len(months) - len(shown)} more" if len(months) > len(shown) else ""
        named.append(f"{currency} in {', '.join(shown)}{more}")
    raise invalid_parameter(
        "in_currency",
        f"no FX rate into {query.in_currency} for {'; '.join(named)}: add them to the pricing "
        "files' fx_rates.csv, or read the amounts in the currencies billed",
    )


async def known_view(cost_service: CostService, view: str, parameter: str) -> CostContext:
    context = await cost_service.context(view)
    if not context.view_known:
        raise invalid_parameter(parameter, f"unknown pricing view {view!r}; see GET /api/v1/pricing-views")
    return context


@dataclass(frozen=True)
class CostRequest:
    """A /costs (or export) request, checked: its keys, months and query, and the side to read
    (None when the range holds no month with data)."""

    keys: list[str]
    months: Range
    query: CostQuery
    side: CostSide | None


async def cost_request(
    cost_service: CostService,
    filters: dict[str, list[str]],
    visibility: Visibility,
    view: str,
    from_: str | None,
    to: str | None,
    group_by: str,
    owner_as_of: OwnerAsOf,
    in_currency: str | None,
) -> CostRequest:
    keys = group_keys(group_by)
    asked = Range.parse(from_, to)
    context = await known_view(cost_service, view, "view")
    months = asked.or_data_of(context)
    query = cost_query(keys, filters, owner_as_of, visibility, in_currency=in_currency)
    side = None if months.empty else months.side(view, context)
    await convertible(cost_service, query, [side] if side is not None else [])
    return CostRequest(keys, months, query, side)


async def comparison(
    cost_service: CostService,
    keys: list[str],
    view: str,
    against: str | None,
    against_period: AgainstPeriod | None,
    from_: str | None,
    to: str | None,
) -> tuple[Comparison, tuple[CostSide, CostSide] | None]:
    """The two sides of a compare or variance request (None when there is no month to read),
    and the header of its answer. The range defaults to the months with data of the view, else
    of the against view."""
    asked = Range.parse(from_, to)
    context = await known_view(cost_service, view, "view")
    against_view = against if against is not None else view
    against_context = context if against is None else await known_view(cost_service, against, "against")
    shift = PERIOD_SHIFTS[against_period] if against_period is not None else 0
    months = asked.or_data_of(context, against_context)
    report_from, report_to = months.text()
    against_from, against_to = months.text(shift)
    header = Comparison(
        view=view,
        against=against_view,
        against_period=against_period,
        from_=report_from,
        to=report_to,
        against_from=against_from,
        against_to=against_to,
        group_by=keys,
    )
    if months.empty:
        return header, None
    return header, (months.side(view, context), months.side(against_view, against_context, shift))


class CostController(Controller):
    path = "/costs"
    tags = ("costs",)
    guards = (revalidate,)
    opt = keep_answers()

    @get(
        "/",
        dependencies=COST_DEPENDENCIES,
        operation_id="listCosts",
        summary="Costs of a pricing view, grouped and filtered by period and the product tree",
        description=(
            "Quantities are returned only when every row of a group has the same unit (units lists "
            "a group's units, several when it mixes them), costs only "
            "when every row is priced in the view (else null, with priced false). Amounts in "
            "different currencies are never added: currency is always a group key, unless "
            "in_currency converts them into one. A simulation "
            "view is evaluated on the fly from its base view and its adjustments."
        ),
        responses=_ERRORS,
    )
    async def list_costs(
        self,
        cost_service: NamedDependency[CostService],
        cost_filters: NamedDependency[dict[str, list[str]]],
        visibility: NamedDependency[Visibility],
        page: NamedDependency[Page],
        publication_service: NamedDependency[PublicationService],
        view: View = "actual",
        from_: From = None,
        to: To = None,
        group_by: GroupBy = DEFAULT_GROUP_BY,
        owner_as_of: AsOf = "month",
        in_currency: InCurrency = None,
        sort: Annotated[
            CostSort,
            QueryParameter(
                description="keys: rows in group_by's order; cost_desc: the largest cost first (then "
                "group_by's order, unpriced groups last), so that `limit` gives the top N. Costs of "
                "different currencies do not compare: filter by currency, or convert them with "
                "in_currency, for a top N."
            ),
        ] = "keys",
    ) -> CostReport:
        asked = await cost_request(
            cost_service, cost_filters, visibility, view, from_, to, group_by, owner_as_of, in_currency
        )
        report_from, report_to = asked.months.text()
        rows: list[CostRow] = []
        next_page: str | None = None
        stale: list[StaleMonth] = []
        if asked.side is not None:  # else no data in the range asked
            rows, next_page = page.cut(await cost_service.costs(asked.query, asked.side, page, sort), True)
            stale = await publication_service.stale_months_read([asked.side])
        return CostReport(
            view=view,
            from_=report_from,
            to=report_to,
            group_by=asked.keys,
            in_currency=in_currency,
            rows=rows,
            next=next_page,
            stale_months=stale,
        )

    @get(
        "/compare",
        dependencies=COST_DEPENDENCIES,
        operation_id="compareCosts",
        summary="Costs under two pricing views, or over two periods, side by side",
        description=(
            "Exactly one of `against` (another pricing view over the same months: the same "
            "consumption valued twice) and `against_period` (the same view over the range moved "
            "back by 1, 3 or 12 months). Rows are matched on the group keys; with against_period "
            "the against side's months are labelled with the months they are compared with, so "
            "group_by=month,application compares each month with the month a year before, and "
            "group_by=application each application's total over the two ranges. A group on one "
            "side only is still a row, the other side null."
        ),
        responses=_ERRORS,
    )
    async def compare_costs(
        self,
        cost_service: NamedDependency[CostService],
        cost_filters: NamedDependency[dict[str, list[str]]],
        visibility: NamedDependency[Visibility],
        page: NamedDependency[Page],
        publication_service: NamedDependency[PublicationService],
        view: View = "actual",
        against: Annotated[
            str | None, QueryParameter(description="The pricing view to compare with, over the same months.")
        ] = None,
        against_period: Annotated[
            AgainstPeriod | None,
            QueryParameter(description="Compare with the same view over the range moved back."),
        ] = None,
        from_: From = None,
        to: To = None,
        group_by: GroupBy = DEFAULT_GROUP_BY,
        owner_as_of: AsOf = "month",
        in_currency: InCurrency = None,
        sort: Annotated[
            CompareSort,
            QueryParameter(
                description="keys: rows in group_by's order; delta_desc: the largest change first in "
                "absolute value (then group_by's order; rows without a delta, a side missing or "
                "unpriced, last), so that `limit` gives the top movers. Deltas of different "
                "currencies do not compare: filter by currency, or convert them with in_currency, "
                "for top movers."
            ),
        ] = "keys",
    ) -> CompareReport:
        if (against is None) == (against_period is None):
            reason = "give exactly one of against (a pricing view) and against_period"
            raise invalid_parameters(InvalidParam("against", reason), InvalidParam("against_period", reason))
        keys = group_keys(group_by)
        header, sides = await comparison(cost_service, keys, view, against, against_period, from_, to)
        query = cost_query(keys, cost_filters, owner_as_of, visibility, in_currency=in_currency)
        await convertible(cost_service, query, sides or [])
        rows, next_page = page.cut(
            await cost_service.compare(query, *sides, page, sort) if sides else [], True
        )
        stale = await publication_service.stale_months_read(sides or [])
        return CompareReport(
            **msgspec.structs.asdict(header) | {"stale_months": stale, "in_currency": in_currency},
            rows=rows,
            next=next_page,
        )

    @get(
        "/variance",
        dependencies=COST_DEPENDENCIES,
        operation_id="getCostVariance",
        summary="Why costs moved between two periods: volume, mix, price, unsplit, new and retired",
        description=(
            "Per group, delta = cost - against_cost split per product (README.md, Variance): "
            "volume + mix + price + unsplit + new + retired = delta exactly; no quantity is "
            "compared across units. Groups are not periods: the period is the whole range from..to."
        ),
        responses=_ERRORS,
    )
    async def get_cost_variance(
        self,
        cost_service: NamedDependency[CostService],
        cost_filters: NamedDependency[dict[str, list[str]]],
        visibility: NamedDependency[Visibility],
        page: NamedDependency[Page],
        publication_service: NamedDependency[PublicationService],
        against_period: Annotated[
            AgainstPeriod,
            QueryParameter(description="Compare with the range moved back by 1, 3 or 12 months."),
        ],
        view: View = "actual",
        from_: From = None,
        to: To = None,
        group_by: Annotated[
            str,
            QueryParameter(
                description=f"Comma-separated subset of {', '.join(VARIANCE_KEYS)}; {_GROUP_BY_HELP}"
            ),
        ] = "application",
        owner_as_of: AsOf = "month",
        in_currency: InCurrency = None,
    ) -> VarianceReport:
        keys = group_keys(group_by, VARIANCE_KEYS)
        header, sides = await comparison(cost_service, keys, view, None, against_period, from_, to)
        query = cost_query(keys, cost_filters, owner_as_of, visibility, in_currency=in_currency)
        await convertible(cost_service, query, sides or [])
        rows, next_page = page.cut(await cost_service.variance(query, *sides, page) if sides else [], True)
        stale = await publication_service.stale_months_read(sides or [])
        return VarianceReport(
            **msgspec.structs.asdict(header) | {"stale_months": stale, "in_currency": in_currency},
            rows=rows,
            next=next_page,
        )
