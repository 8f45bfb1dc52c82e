from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter, QueryParameter

from finops_api.auth.visibility import Visibility
from finops_api.errors import problem_responses
from finops_api.pagination import PAGE, Page
from finops_api.params import split_list
from finops_api.referentials.schemas import (
    ApplicationHistory,
    ApplicationList,
    DomainList,
    FamilyList,
    ProductHistory,
    ProductList,
)
from finops_api.referentials.services import ReferentialService, provide_referential_service
from finops_core.entity_refs import canonical_ref
from finops_core.months import MONTH_PATTERN, parse_month

AS_OF_RULE = (
    "Without as_of: the current version of every code. With as_of: for every code, its latest "
    "version begun at or before that month, which is the one valid that month unless the code "
    "had been deleted by then (a version valid that month is listed even when the code was "
    "deleted later). include_deleted adds the codes deleted at that point (now, or at as_of), "
    "with their last version and deleted true; a code deleted then declared again is deleted "
    "only for the months in between."
)

AsOf = Annotated[
    str | None,
    QueryParameter(
        pattern=MONTH_PATTERN,
        description="The month whose versions to list, YYYY-MM; the current versions when absent.",
    ),
]
IncludeDeleted = Annotated[
    bool,
    QueryParameter(description="Also list the codes deleted at that point, flagged deleted."),
]

_SERVICE = {"referential_service": Provide(provide_referential_service, sync_to_thread=False)}
_DEPENDENCIES = {**_SERVICE, **PAGE}


class ReferentialController(Controller):
    path = "/"
    tags = ("referentials",)
    dependencies = _DEPENDENCIES

    @get(
        "/domains",
        operation_id="listDomains",
        summary="Domains of the product catalog, now or as of a month",
        description=AS_OF_RULE,
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def list_domains(
        self,
        referential_service: NamedDependency[ReferentialService],
        page: NamedDependency[Page],
        as_of: AsOf = None,
        include_deleted: IncludeDeleted = False,
    ) -> DomainList:
        month = parse_month(as_of) if as_of is not None else None
        rows, next_page = page.cut(await referential_service.domains(month, include_deleted), False)
        return DomainList(as_of=as_of, rows=rows, next=next_page)

    @get(
        "/families",
        operation_id="listFamilies",
        summary="Families of the product catalog, now or as of a month",
        description=AS_OF_RULE,
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def list_families(
        self,
        referential_service: NamedDependency[ReferentialService],
        page: NamedDependency[Page],
        as_of: AsOf = None,
        include_deleted: IncludeDeleted = False,
    ) -> FamilyList:
        month = parse_month(as_of) if as_of is not None else None
        rows, next_page = page.cut(await referential_service.families(month, include_deleted), False)
        return FamilyList(as_of=as_of, rows=rows, next=next_page)

    @get(
        "/products",
        operation_id="listProducts",
        summary="Products of the catalog, now or as of a month",
        description=(
            f"{AS_OF_RULE} A product's domain is its family's at the same point (for a deleted "
            "product, its last valid month); family and domain filter on these values."
        ),
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def list_products(
        self,
        referential_service: NamedDependency[ReferentialService],
        page: NamedDependency[Page],
        as_of: AsOf = None,
        include_deleted: IncludeDeleted = False,
        family: Annotated[
            str | None, QueryParameter(description="Only these families, comma-separated.")
        ] = None,
        domain: Annotated[
            str | None, QueryParameter(description="Only these domains, comma-separated.")
        ] = None,
    ) -> ProductList:
        month = parse_month(as_of) if as_of is not None else None
        rows = await referential_service.products(
            month, include_deleted, split_list(family), split_list(domain)
        )
        page_rows, next_page = page.cut(rows, False)
        return ProductList(as_of=as_of, rows=page_rows, next=next_page)

    @get(
        "/products/{code:str}/history",
        operation_id="getProductHistory",
        summary="Every version of a product, oldest first",
        description=(
            "valid_to is exclusive; deleted marks the version ended by the product's deletion. "
            "A product deleted and declared again has a gap between those two versions."
        ),
        responses=problem_responses(
            HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE
        ),
    )
    async def get_product_history(
        self,
        referential_service: NamedDependency[ReferentialService],
        code: Annotated[str, PathParameter(description="The product code.")],
    ) -> ProductHistory:
        versions = await referential_service.product_history(code)
        if not versions:
            raise NotFoundException(detail=f"unknown product {code!r}")
        return ProductHistory(code=code, versions=versions)

    @get(
        "/applications",
        operation_id="listApplications",
        summary="Applications of the catalog, now or as of a month",
        description=f"{AS_OF_RULE} owner filters on the owner at the same point. A viewer sees "
        "the applications whose current owner is among its ownership refs.",
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def list_applications(
        self,
        referential_service: NamedDependency[ReferentialService],
        page: NamedDependency[Page],
        visibility: NamedDependency[Visibility],
        as_of: AsOf = None,
        include_deleted: IncludeDeleted = False,
        owner: Annotated[
            str | None, QueryParameter(description="Only these owners, comma-separated.")
        ] = None,
    ) -> ApplicationList:
        month = parse_month(as_of) if as_of is not None else None
        rows = await referential_service.applications(
            month, include_deleted, [canonical_ref(ref) for ref in split_list(owner)], visibility.applications
        )
        page_rows, next_page = page.cut(rows, False)
        return ApplicationList(as_of=as_of, rows=page_rows, next=next_page)

    @get(
        "/applications/{code:str}/history",
        operation_id="getApplicationHistory",
        summary="Every version of an application, oldest first",
        description=(
            "valid_to is exclusive; deleted marks the version ended by the application's deletion. "
            "An application deleted and declared again has a gap between those two versions."
        ),
        responses=problem_responses(
            HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE
        ),
    )
    async def get_application_history(
        self,
        referential_service: NamedDependency[ReferentialService],
        visibility: NamedDependency[Visibility],
        code: Annotated[str, PathParameter(description="The application code.")],
    ) -> ApplicationHistory:
        # one the caller does not see is unknown to it: a 403 would tell that it exists
        versions = await referential_service.application_history(code) if visibility.sees(code) else []
        if not versions:
            raise NotFoundException(detail=f"unknown application {code!r}")
        return ApplicationHistory(code=code, versions=versions)
