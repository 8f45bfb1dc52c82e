from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from finops_api.allocations.schemas import AllocationExplanation
from finops_api.allocations.services import AllocationService, provide_allocation_service
from finops_api.auth.visibility import Visibility
from finops_api.errors import problem_responses
from finops_api.publication.services import PUBLICATION, PublicationService
from finops_core.months import MONTH_PATTERN, format_month, parse_month


class AllocationController(Controller):
    path = "/allocations"
    tags = ("allocations",)

    @get(
        "/explain",
        dependencies={
            "allocation_service": Provide(provide_allocation_service, sync_to_thread=False),
            **PUBLICATION,
        },
        operation_id="explainAllocation",
        summary="How an application's shares of the indirect pools of a month were computed",
        description=(
            "Per pool: the rule, its method and scope, the application's weight and the total weight, "
            "the pool's quantity and cost, the share of both, and the share's cost in every pricing view. "
            "No rows when the application received no share that month, or is not one the caller sees; "
            "has_cost then tells whether its costs are all direct or it has none."
        ),
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def explain(
        self,
        allocation_service: NamedDependency[AllocationService],
        visibility: NamedDependency[Visibility],
        publication_service: NamedDependency[PublicationService],
        application: Annotated[str, QueryParameter(min_length=1, description="The application's code.")],
        month: Annotated[str, QueryParameter(pattern=MONTH_PATTERN, description="The month, YYYY-MM.")],
        product: Annotated[
            str | None, QueryParameter(min_length=1, description="Only the pools of this product.")
        ] = None,
    ) -> AllocationExplanation:
        first_day = parse_month(month)
        # an application the caller does not see answers as one that received nothing: a 403
        # would tell that it exists
        seen = visibility.sees(application)
        rows = await allocation_service.explain(application, first_day, product) if seen else []
        has_cost = seen and await allocation_service.has_cost(application, first_day, product)
        stale = await publication_service.stale_month(first_day)
        return AllocationExplanation(
            application=application,
            month=format_month(first_day),
            rows=rows,
            has_cost=has_cost,
            stale_months=stale,
        )
