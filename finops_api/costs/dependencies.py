"""What a costs endpoint takes and checks before it reads (finops_api/costs/controllers.py,
export.py, preview.py): its query parameters, its filters, its query limited to the caller's
sight, its pricing views and month ranges, and the conversion into one currency."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from litestar.di import Provide
from litestar.params import QueryParameter

from finops_api.auth.visibility import Visibility
from finops_api.costs.ranges import Range
from finops_api.costs.read_models import GROUP_KEYS, TIME_KEYS
from finops_api.costs.schemas import (
    AgainstPeriod,
    Comparison,
)
from finops_api.costs.services import (
    PERIOD_SHIFTS,
    CostContext,
    CostService,
    provide_cost_service,
)
from finops_api.costs.sides import CostQuery, CostSide, OwnerAsOf
from finops_api.errors import InvalidParam, invalid_parameter, invalid_parameters
from finops_api.pagination import PAGE
from finops_api.params import split_list
from finops_api.publication.services import PUBLICATION
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
GROUP_BY_HELP = "rows are sorted in this order. currency is always added. Empty: one row per currency."
GroupBy = Annotated[
    str, QueryParameter(description=f"Comma-separated subset of {', '.join(GROUP_KEYS)}; {GROUP_BY_HELP}")
]
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
