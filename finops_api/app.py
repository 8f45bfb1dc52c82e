"""The Litestar application: `create_app()`, or `uvicorn --factory finops_api.app:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, ScalarRenderPlugin, YamlRenderPlugin

from finops_api.allocations.controllers import AllocationController
from finops_api.costs.controllers import CostController
from finops_api.db import create_pool, provide_db_pool
from finops_api.errors import exception_handlers, problem_details_plugin
from finops_api.health.controllers import HealthController
from finops_api.loads.controllers import LoadController
from finops_api.mapping.controllers import MappingController
from finops_api.pricing_views.controllers import PricingViewController
from finops_api.referentials.controllers import ReferentialController
from finops_core.database import database_url as configured_database_url

API_VERSION = "1.0.0"


def create_app(database_url: str | None = None) -> Litestar:
    """The API over the mart at database_url; when None, the platform's configured database
    (FINOPS_DATABASE_URL, else the embedded server), resolved at startup rather than here so
    that building the app (e.g. to export the OpenAPI schema) needs no database."""

    @asynccontextmanager
    async def db_pool_lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = create_pool(database_url or configured_database_url())
        # wait=False: the API starts even with the database down, and health answers 503
        # until it is back, rather than the process failing to boot.
        await pool.open(wait=False)
        app.state.db_pool = pool
        try:
            yield
        finally:
            await pool.close()

    api_v1 = Router(
        path="/api/v1",
        route_handlers=[
            HealthController,
            CostController,
            AllocationController,
            LoadController,
            MappingController,
            PricingViewController,
            ReferentialController,
        ],
    )
    return Litestar(
        route_handlers=[api_v1],
        lifespan=[db_pool_lifespan],
        dependencies={"db_pool": Provide(provide_db_pool, sync_to_thread=False)},
        plugins=[problem_details_plugin()],
        exception_handlers=exception_handlers(),
        openapi_config=OpenAPIConfig(
            title="FinOps API",
            version=API_VERSION,
            description="Costs of every IT source, valued under pricing views, from the FinOps mart.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), JsonRenderPlugin(), YamlRenderPlugin()],
        ),
    )
