from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from finops_api.auth.middleware import requires
from finops_api.auth.principal import LOAD_READER
from finops_api.errors import problem_responses
from finops_api.loads.schemas import LoadList
from finops_api.loads.services import LoadService, provide_load_service
from finops_api.pagination import PAGE, Page
from finops_core.months import MONTH_PATTERN, parse_month


class LoadController(Controller):
    path = "/loads"
    tags = ("loads",)

    @get(
        "/",
        dependencies={"load_service": Provide(provide_load_service, sync_to_thread=False), **PAGE},
        operation_id="listLoads",
        summary="Load attempts per source and month, newest first",
        description="The load audit: for the admin role.",
        guards=[requires(LOAD_READER)],
        responses=problem_responses(
            HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN, HTTPStatus.SERVICE_UNAVAILABLE
        ),
    )
    async def list_loads(
        self,
        load_service: NamedDependency[LoadService],
        page: NamedDependency[Page],
        month: Annotated[
            str | None,
            QueryParameter(
                pattern=MONTH_PATTERN,
                description="Only the loads of this billing month, YYYY-MM; all months when absent.",
            ),
        ] = None,
    ) -> LoadList:
        rows = await load_service.list_loads(parse_month(month) if month is not None else None)
        page_rows, next_page = page.cut(rows, False)
        return LoadList(rows=page_rows, next=next_page)
