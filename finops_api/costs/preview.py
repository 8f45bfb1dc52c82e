"""A simulation previewed before it is saved: its adjustments applied by the server to the base
view's rows in the read models, as a saved simulation's are (api/cost_side_adjustment.sql), so
that the What-if page reads one row per group instead of the base view's rows at every level
its adjustments could scope."""

from __future__ import annotations

from dataclasses import replace
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from finops_api.auth.visibility import Visibility
from finops_api.costs.dependencies import COST_DEPENDENCIES, cost_query, group_keys, known_view
from finops_api.costs.ranges import Range
from finops_api.costs.schemas import CompareRow, SimulationPreview, SimulationPreviewRequest
from finops_api.costs.services import CostService
from finops_api.costs.sides import CostSide
from finops_api.errors import invalid_parameter, problem_responses
from finops_api.pagination import Page
from finops_api.pricing_views.controllers import check_adjustments
from finops_api.pricing_views.services import adjustment_row
from finops_api.publication.schemas import StaleMonth
from finops_api.publication.services import PublicationService
from finops_api.writes import json_body_only


def preview_side(base: CostSide, data: SimulationPreviewRequest) -> CostSide:
    """The base view's side with the request's adjustments applied to it."""
    rows = [adjustment_row(position, adjustment) for position, adjustment in enumerate(data.adjustments)]
    scopes: dict[str, list[str]] = {}
    for adjustment in data.adjustments:
        codes = scopes.setdefault(adjustment.scope.level, [])
        if adjustment.scope.code not in codes:
            codes.append(adjustment.scope.code)
    return replace(base, scopes=scopes, preview=msgspec.json.encode(rows).decode())


class SimulationPreviewController(Controller):
    path = "/costs/preview"
    tags = ("costs",)

    @post(
        "/",
        dependencies=COST_DEPENDENCIES,
        operation_id="previewSimulation",
        summary="A simulation's costs before it is saved: adjustments applied to a base view",
        description=(
            "For every role: it reads what GET /api/v1/costs reads (a viewer's own applications "
            "only) and stores nothing. The body must be application/json (415 otherwise). Each "
            "group's `cost` is its cost under the adjustments, `against_cost` its cost under the "
            "base view, as /costs/compare gives them for a saved simulation against its base. "
            "At most api.max_adjustments adjustments. A page's `next` link is posted the same body."
        ),
        status_code=HTTPStatus.OK,
        guards=[json_body_only],
        responses=problem_responses(
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            HTTPStatus.SERVICE_UNAVAILABLE,
        ),
    )
    async def preview_simulation(
        self,
        request: Request[Any, Any, Any],
        cost_service: NamedDependency[CostService],
        cost_filters: NamedDependency[dict[str, list[str]]],
        visibility: NamedDependency[Visibility],
        page: NamedDependency[Page],
        publication_service: NamedDependency[PublicationService],
        data: JSONBody[SimulationPreviewRequest],
    ) -> SimulationPreview:
        check_adjustments(data.adjustments, request.app.state.api_config.max_adjustments)
        keys = group_keys(",".join(data.group_by))
        context = await known_view(cost_service, data.base_view, "base_view")
        if context.read_view != data.base_view:
            reason = f"{data.base_view!r} is a simulation; start from its base view"
            raise invalid_parameter("base_view", reason)
        months = Range.parse(data.from_, data.to).or_data_of(context)
        report_from, report_to = months.text()
        rows: list[CompareRow] = []
        next_page: str | None = None
        stale: list[StaleMonth] = []
        if not months.empty:
            base = months.side(data.base_view, context)
            preview = preview_side(base, data)
            scoped_by = list(preview.scopes)  # an application scope is a breakdown by team
            query = cost_query(keys, cost_filters, data.owner_as_of, visibility, scoped_by)
            answer = await cost_service.compare(query, preview, base, page, data.sort)
            rows, next_page = page.cut(answer, True)
            stale = await publication_service.stale_months_read([base])  # both sides' months
        return SimulationPreview(
            base_view=data.base_view,
            from_=report_from,
            to=report_to,
            group_by=keys,
            rows=rows,
            next=next_page,
            stale_months=stale,
        )
