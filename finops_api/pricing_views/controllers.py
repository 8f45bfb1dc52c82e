from __future__ import annotations

from http import HTTPStatus

from litestar import Controller, get
from litestar.di import NamedDependency, Provide

from finops_api.errors import problem_responses
from finops_api.pricing_views.schemas import PricingViewList
from finops_api.pricing_views.services import PricingViewService, provide_pricing_view_service


class PricingViewController(Controller):
    path = "/pricing-views"
    tags = ("pricing views",)

    @get(
        "/",
        dependencies={"pricing_view_service": Provide(provide_pricing_view_service, sync_to_thread=False)},
        operation_id="listPricingViews",
        summary="The pricing views costs can be valued under",
        responses=problem_responses(HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def list_pricing_views(
        self, pricing_view_service: NamedDependency[PricingViewService]
    ) -> PricingViewList:
        return PricingViewList(rows=await pricing_view_service.list_views())
