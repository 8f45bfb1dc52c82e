from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from finops_api.costs.schemas import CostReport
from finops_api.costs.services import (
    DEFAULT_GROUP_BY,
    GROUP_KEYS,
    CostQuery,
    CostService,
    OwnerAsOf,
    provide_cost_service,
)
from finops_api.errors import InvalidParam, invalid_parameter, invalid_parameters, problem_responses
from finops_api.params import split_list
from finops_core.months import MONTH_PATTERN, format_month, parse_month


def group_keys(text: str) -> list[str]:
    """The group_by parameter as keys, currency added last when not asked for."""
    keys = split_list(text)
    unknown = [key for key in keys if key not in GROUP_KEYS]
    if unknown:
        raise invalid_parameter(
            "group_by",
            f"unknown key {', '.join(map(repr, unknown))}; "
            f"expected a comma-separated subset of {', '.join(GROUP_KEYS)}",
        )
    return keys if "currency" in keys else [*keys, "currency"]


class CostController(Controller):
    path = "/costs"
    tags = ("costs",)

    @get(
        "/",
        dependencies={"cost_service": Provide(provide_cost_service, sync_to_thread=False)},
        operation_id="listCosts",
        summary="Costs of a pricing view, grouped and filtered by month and the product tree",
        description=(
            "Quantities are returned only when every row of a group has the same unit, costs only "
            "when every row is priced in the view (else null, with priced false). Amounts in "
            "different currencies are never added: currency is always a group key."
        ),
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def list_costs(
        self,
        cost_service: NamedDependency[CostService],
        view: Annotated[
            str, QueryParameter(description="Pricing view code (GET /api/v1/pricing-views).")
        ] = "actual",
        from_: Annotated[
            str | None,
            QueryParameter(
                name="from",
                pattern=MONTH_PATTERN,
                description="First month included, YYYY-MM; default: the view's first month with data.",
            ),
        ] = None,
        to: Annotated[
            str | None,
            QueryParameter(
                pattern=MONTH_PATTERN,
                description="Last month included, YYYY-MM; default: the view's last month with data.",
            ),
        ] = None,
        group_by: Annotated[
            str,
            QueryParameter(
                description=(
                    f"Comma-separated subset of {', '.join(GROUP_KEYS)}; rows are sorted in this order. "
                    "currency is always added. Empty: one row per currency."
                )
            ),
        ] = DEFAULT_GROUP_BY,
        source: Annotated[
            str | None, QueryParameter(description="Only these sources, comma-separated.")
        ] = None,
        application: Annotated[
            str | None, QueryParameter(description="Only these applications, comma-separated.")
        ] = None,
        owner: Annotated[
            str | None,
            QueryParameter(
                description="Only applications with these owners (Backstage group refs) in the month "
                "reported, comma-separated."
            ),
        ] = None,
        domain: Annotated[
            str | None, QueryParameter(description="Only these domains, comma-separated.")
        ] = None,
        family: Annotated[
            str | None, QueryParameter(description="Only these families, comma-separated.")
        ] = None,
        product: Annotated[
            str | None, QueryParameter(description="Only these products, comma-separated.")
        ] = None,
        currency: Annotated[
            str | None, QueryParameter(description="Only these currencies, comma-separated.")
        ] = None,
        owner_as_of: Annotated[
            OwnerAsOf,
            QueryParameter(
                description="Which owner `owner` groups and filters by: the application's owner in the "
                "month reported (month), or its owner today for every month (current)."
            ),
        ] = "month",
    ) -> CostReport:
        keys = group_keys(group_by)
        first = parse_month(from_) if from_ is not None else None
        last = parse_month(to) if to is not None else None
        if first is not None and last is not None and first > last:
            raise invalid_parameters(
                InvalidParam("from", f"{from_} is after to ({to})"),
                InvalidParam("to", f"{to} is before from ({from_})"),
            )
        context = await cost_service.context(view)
        if not context.view_known:
            raise invalid_parameter("view", f"unknown pricing view {view!r}; see GET /api/v1/pricing-views")
        first = first if first is not None else context.first_month
        last = last if last is not None else context.last_month
        report_from = format_month(first) if first is not None else None
        report_to = format_month(last) if last is not None else None
        if first is None or last is None or first > last:  # no data in the range asked
            return CostReport(view=view, from_=report_from, to=report_to, group_by=keys, rows=[])

        filters = {
            "source": split_list(source),
            "application": split_list(application),
            "owner": split_list(owner),
            "domain": split_list(domain),
            "family": split_list(family),
            "product": split_list(product),
            "currency": split_list(currency),
        }
        query = CostQuery(
            view=view,
            first_month=first,
            last_month=last,
            group_by=keys,
            filters=filters,
            owner_as_of=owner_as_of,
        )
        rows = await cost_service.costs(query)
        return CostReport(view=view, from_=report_from, to=report_to, group_by=keys, rows=rows)
