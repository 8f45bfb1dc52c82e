from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from finops_api.answer_cache import keep_answers
from finops_api.auth.visibility import Visibility
from finops_api.caching import revalidate
from finops_api.errors import problem_responses
from finops_api.mapping.schemas import MappingCoverage
from finops_api.mapping.services import MappingService, provide_mapping_service
from finops_api.pagination import PAGE, Page
from finops_api.publication.services import PUBLICATION, PublicationService
from finops_core.months import MONTH_PATTERN, format_month, parse_month


class MappingController(Controller):
    path = "/mapping"
    tags = ("mapping",)
    guards = (revalidate,)
    opt = keep_answers()

    @get(
        "/coverage",
        dependencies={
            "mapping_service": Provide(provide_mapping_service, sync_to_thread=False),
            **PAGE,
            **PUBLICATION,
        },
        operation_id="getMappingCoverage",
        summary="Cost attributed to applications and cost left unallocated, per source, in a month",
        description=(
            "From the actual pricing view. mapped_cost + unallocated_cost = total_cost exactly; "
            "currencies are never added together. Sources with no cost that month are not listed. "
            "A viewer's figures are those of the applications it sees."
        ),
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def get_coverage(
        self,
        mapping_service: NamedDependency[MappingService],
        page: NamedDependency[Page],
        visibility: NamedDependency[Visibility],
        publication_service: NamedDependency[PublicationService],
        month: Annotated[str, QueryParameter(pattern=MONTH_PATTERN, description="The month, YYYY-MM.")],
    ) -> MappingCoverage:
        first_day = parse_month(month)
        rows = await mapping_service.coverage(first_day, visibility.applications)
        page_rows, next_page = page.cut(rows, False)
        stale = await publication_service.stale_month(first_day)
        return MappingCoverage(
            month=format_month(first_day), rows=page_rows, next=next_page, stale_months=stale
        )
