from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from finops_api.answer_cache import keep_answers
from finops_api.auth.visibility import Visibility
from finops_api.caching import revalidate
from finops_api.costs.dependencies import (
    COST_DEPENDENCIES,
    GROUP_BY_HELP,
    VARIANCE_KEYS,
    AsOf,
    From,
    GroupBy,
    InCurrency,
    To,
    View,
    comparison,
    convertible,
    cost_query,
    cost_request,
    group_keys,
)
from finops_api.costs.schemas import (
    AgainstPeriod,
    CompareReport,
    CostReport,
    CostRow,
    VarianceReport,
)
from finops_api.costs.services import (
    DEFAULT_GROUP_BY,
    CompareSort,
    CostService,
)
from finops_api.costs.statements import CostSort
from finops_api.errors import InvalidParam, invalid_parameters, problem_responses
from finops_api.pagination import Page
from finops_api.publication.schemas import StaleMonth
from finops_api.publication.services import PublicationService

_ERRORS = problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE)


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
        summary="Why costs moved between two periods: volume, mix, price, fx, unsplit, new and retired",
        description=(
            "Per group, delta = cost - against_cost split per product (README.md, Variance): "
            "volume + mix + price + fx + unsplit + new + retired = delta exactly; no quantity is "
            "compared across units; fx, what the exchange rates' move changed, is 0 unless "
            "in_currency converts the amounts. Groups are not periods: the period is the whole "
            "range from..to."
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
                description=f"Comma-separated subset of {', '.join(VARIANCE_KEYS)}; {GROUP_BY_HELP}"
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
