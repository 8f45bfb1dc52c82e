from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter, QueryParameter

from finops_api.auth.middleware import requires
from finops_api.auth.principal import LOAD_READER
from finops_api.errors import problem_responses
from finops_api.loads.schemas import LoadList, RejectedRowList
from finops_api.loads.services import LoadService, provide_load_service
from finops_api.pagination import BIGINT_MAX, PAGE, Page
from finops_core.months import MONTH_PATTERN, parse_month

_DEPENDENCIES = {"load_service": Provide(provide_load_service, sync_to_thread=False), **PAGE}


class LoadController(Controller):
    path = "/loads"
    tags = ("loads",)

    @get(
        "/",
        dependencies=_DEPENDENCIES,
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

    @get(
        "/{load_id:int}/rejected-rows",
        dependencies=_DEPENDENCIES,
        operation_id="listRejectedRows",
        summary="The rows a load rejected, with the reason and the row as the source had it",
        description="For the admin role. In the file's order (file, line). Reloading a source's month "
        "replaces its rejected rows: an earlier load of the same source and month lists none.",
        guards=[requires("admin")],
        responses=problem_responses(
            HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, HTTPStatus.SERVICE_UNAVAILABLE
        ),
    )
    async def list_rejected_rows(
        self,
        load_service: NamedDependency[LoadService],
        page: NamedDependency[Page],
        load_id: Annotated[
            int, PathParameter(ge=1, le=BIGINT_MAX, description="The load attempt (listLoads' load_id).")
        ],
    ) -> RejectedRowList:
        rows = await load_service.rejected_rows(load_id, page)
        if rows is None:
            raise NotFoundException(detail=f"unknown load {load_id}")
        page_rows, next_page = page.cut(rows, True)
        return RejectedRowList(rows=page_rows, next=next_page)
