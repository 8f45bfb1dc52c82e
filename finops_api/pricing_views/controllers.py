from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody, PathParameter
from litestar.plugins.problem_details import ProblemDetailsException

from finops_api.auth.middleware import principal_of, requires
from finops_api.auth.principal import SIMULATION_WRITER
from finops_api.auth.visibility import Visibility
from finops_api.data_version import data_written
from finops_api.errors import InvalidParam, invalid_parameter, invalid_parameters, problem_responses
from finops_api.pagination import PAGE, Page
from finops_api.pricing_views.schemas import Adjustment, PricingViewDetail, PricingViewList, SimulationCreate
from finops_api.pricing_views.services import (
    CreateOutcome,
    DeleteOutcome,
    PricingViewService,
    provide_pricing_view_service,
)
from finops_api.writes import json_body_only

ViewCode = Annotated[str, PathParameter(description="The pricing view code.")]
CONFLICT = "urn:finops:problem:conflict"
_SERVICE = {"pricing_view_service": Provide(provide_pricing_view_service, sync_to_thread=False)}
_DEPENDENCIES = {**_SERVICE, **PAGE}
_WRITE_ERRORS = (HTTPStatus.FORBIDDEN, HTTPStatus.SERVICE_UNAVAILABLE)


def conflict(detail: str) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=HTTPStatus.CONFLICT, type_=CONFLICT, title="Conflict with the stored state", detail=detail
    )


def check_adjustments(adjustments: Sequence[Adjustment], max_adjustments: int) -> None:
    """What the body's schema cannot say: at most max_adjustments adjustments (api.max_adjustments:
    each one is work for every costs request under the view), and from <= to in every adjustment
    (months as YYYY-MM compare in time as text)."""
    if len(adjustments) > max_adjustments:
        raise invalid_parameter(
            "adjustments",
            f"at most {max_adjustments} adjustments per simulation, got {len(adjustments)}",
        )
    for index, adjustment in enumerate(adjustments):
        first, last = adjustment.from_, adjustment.to
        if first is not None and last is not None and first > last:
            raise invalid_parameters(
                InvalidParam(f"adjustments[{index}].from", f"{first} is after to ({last})"),
                InvalidParam(f"adjustments[{index}].to", f"{last} is before from ({first})"),
            )


def visible_part(view: PricingViewDetail, visibility: Visibility) -> PricingViewDetail:
    """A simulation as a viewer may see it: without the adjustments of applications it does not
    see (their codes and prices are another team's)."""
    adjustments = [
        a for a in view.adjustments if a.scope.level != "application" or visibility.sees(a.scope.code)
    ]
    return msgspec.structs.replace(view, adjustments=adjustments)


class PricingViewController(Controller):
    path = "/pricing-views"
    tags = ("pricing views",)
    dependencies = _DEPENDENCIES

    @get(
        "/",
        operation_id="listPricingViews",
        summary="The pricing views costs can be valued under",
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def list_pricing_views(
        self, pricing_view_service: NamedDependency[PricingViewService], page: NamedDependency[Page]
    ) -> PricingViewList:
        rows, next_page = page.cut(await pricing_view_service.list_views(), False)
        return PricingViewList(rows=rows, next=next_page)

    @get(
        "/{code:str}",
        operation_id="getPricingView",
        summary="One pricing view, with a simulation's adjustments",
        description="A viewer does not see the adjustments scoped to applications it does not see.",
        responses=problem_responses(HTTPStatus.NOT_FOUND, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def get_pricing_view(
        self,
        pricing_view_service: NamedDependency[PricingViewService],
        visibility: NamedDependency[Visibility],
        code: ViewCode,
    ) -> PricingViewDetail:
        view = await pricing_view_service.get_view(code)
        if view is None:
            raise NotFoundException(detail=f"unknown pricing view {code!r}")
        return visible_part(view, visibility)

    @post(
        "/simulations",
        operation_id="createSimulation",
        summary="A simulation pricing view: a base view's costs with adjustments, evaluated on the fly",
        description=(
            "For the finance and admin roles; the body must be application/json (415 otherwise). "
            "Adjustments apply in list order to the base view's rows in their scope and months: "
            "percent: cost x (1 + value / 100); absolute: cost + quantity x value; price: quantity x "
            "value. Quantities never change. GET /api/v1/costs?view=<code> (and compare, variance) "
            "evaluate it from the read models, with no batch run. At most api.max_adjustments "
            "adjustments (200 by default). Written to the API's write audit."
        ),
        status_code=HTTPStatus.CREATED,
        guards=[requires(SIMULATION_WRITER), json_body_only],
        responses=problem_responses(
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.CONFLICT,
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            *_WRITE_ERRORS,
        ),
    )
    async def create_simulation(
        self,
        request: Request[Any, Any, Any],
        pricing_view_service: NamedDependency[PricingViewService],
        data: JSONBody[SimulationCreate],
    ) -> PricingViewDetail:
        check_adjustments(data.adjustments, request.app.state.api_config.max_adjustments)
        outcome = await pricing_view_service.create_simulation(data, principal_of(request))
        if outcome is CreateOutcome.UNKNOWN_BASE_VIEW:
            raise invalid_parameter("base_view", f"unknown pricing view {data.base_view!r}")
        if outcome is CreateOutcome.SIMULATION_BASE_VIEW:
            raise invalid_parameter(
                "base_view", f"{data.base_view!r} is a simulation; start from its base view"
            )
        if outcome is CreateOutcome.CODE_TAKEN:
            raise conflict(
                f"pricing view code {data.code!r} is taken (codes of deleted views are never reused)"
            )
        data_written(request.app.state)
        view = await pricing_view_service.get_view(data.code)
        if view is None:  # just created
            raise RuntimeError(f"simulation {data.code!r} vanished after its creation")
        return view

    @delete(
        "/{code:str}",
        operation_id="deletePricingView",
        summary="Soft-deletes a simulation pricing view",
        description=(
            "For the finance and admin roles. Only simulations can be deleted here (409 for other "
            "kinds); the code is never reused. Written to the API's write audit."
        ),
        guards=[requires(SIMULATION_WRITER)],
        responses=problem_responses(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, *_WRITE_ERRORS),
    )
    async def delete_pricing_view(
        self,
        request: Request[Any, Any, Any],
        pricing_view_service: NamedDependency[PricingViewService],
        code: ViewCode,
    ) -> None:
        outcome = await pricing_view_service.delete_simulation(code, principal_of(request))
        if outcome is DeleteOutcome.UNKNOWN:
            raise NotFoundException(detail=f"unknown pricing view {code!r}")
        if outcome is DeleteOutcome.NOT_A_SIMULATION:
            raise conflict(f"pricing view {code!r} is not a simulation; only simulations are deleted here")
        data_written(request.app.state)
