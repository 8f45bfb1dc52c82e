from __future__ import annotations

from http import HTTPStatus

from litestar import Controller, get
from litestar.di import NamedDependency, Provide

from finops_api.errors import problem_responses
from finops_api.health.schemas import Health
from finops_api.health.services import HealthService, provide_health_service
from finops_api.publication.services import PRIMARY_PUBLICATION, PublicationService


class HealthController(Controller):
    path = "/health"
    tags = ("health",)

    @get(
        "/",
        dependencies={
            "health_service": Provide(provide_health_service, sync_to_thread=False),
            **PRIMARY_PUBLICATION,
        },
        operation_id="getHealth",
        summary="Service and database health",
        description="503 with problem details when the database cannot be reached. stale_months "
        "lists the months a stopped run left half-published; with read replicas, each one's replay "
        "lag behind the primary (an unreachable one is listed as such).",
        responses=problem_responses(HTTPStatus.SERVICE_UNAVAILABLE, public=True),
    )
    async def get_health(
        self,
        health_service: NamedDependency[HealthService],
        publication_service: NamedDependency[PublicationService],
    ) -> Health:
        version = await health_service.schema_version()
        stale = await publication_service.stale_months()
        replicas = await health_service.replicas()
        return Health(
            status="ok", database="ok", schema_version=version, replicas=replicas, stale_months=stale
        )
