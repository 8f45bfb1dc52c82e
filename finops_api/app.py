"""The Litestar application: `create_app()`, or `uvicorn --factory finops_api.app:create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, ScalarRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from finops_api.allocations.controllers import AllocationController
from finops_api.auth.authenticator import Authenticator
from finops_api.auth.middleware import PUBLIC_PATHS, AuthenticationMiddleware, mark_auth_disabled
from finops_api.auth.visibility import provide_visibility
from finops_api.caching import tag_answer
from finops_api.costs.controllers import CostController
from finops_api.costs.export import CostExportController
from finops_api.costs.preview import SimulationPreviewController
from finops_api.data_version import WATCH_KEY, DataVersionWatch
from finops_api.db import (
    CHEAP_POOL_SIZE,
    COST_POOL_SIZE,
    PRIMARY_COST_POOL,
    Identities,
    ReadPools,
    create_pool,
    provide_cost_pool,
    provide_db_pool,
    provide_read_pools,
)
from finops_api.errors import exception_handlers, problem_details_plugin
from finops_api.health.controllers import HealthController
from finops_api.loads.controllers import LoadController
from finops_api.mapping.controllers import MappingController
from finops_api.me.controllers import MeController
from finops_api.pricing_views.controllers import PricingViewController
from finops_api.referentials.controllers import ReferentialController
from finops_core.api_config import AUTH_MISSING, ApiConfig, AuthConfig
from finops_core.config import load_config
from finops_core.database import database_url as configured_database_url
from finops_core.errors import ConfigError
from finops_core.settings import Settings, checked_database_url

API_VERSION = "1.0.0"
BEARER = "bearer"
log = logging.getLogger(__name__)


def configured_api() -> ApiConfig:
    """The `api` section of the platform's finops.yaml (FINOPS_CONFIG)."""
    return load_config(Settings.from_env().config_path).api or ApiConfig()


def create_app(
    database_url: str | None = None,
    api: ApiConfig | None = None,
    read_database_urls: Sequence[str] | None = None,
) -> Litestar:
    """The API over the mart at database_url; when None, the platform's configured database
    (FINOPS_DATABASE_URL, else the embedded server), resolved at startup rather than here so
    that building the app (e.g. to export the OpenAPI schema) needs no database. api: the
    authentication and limits; None reads them from finops.yaml. Without api.auth the app is
    not built (ConfigError): there is no unauthenticated default. read_database_urls: the
    standbys the cost reads go to; None reads FINOPS_READ_DATABASE_URL, empty means the primary."""
    api = api if api is not None else configured_api()
    standbys = tuple(
        checked_database_url("FINOPS_READ_DATABASE_URL", url)
        for url in (
            read_database_urls if read_database_urls is not None else Settings.from_env().read_database_urls
        )
    )
    if api.auth is None:
        raise ConfigError(AUTH_MISSING)
    auth: AuthConfig = api.auth
    authenticator = Authenticator(auth) if auth.mode != "none" else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if authenticator is None:
            log.warning(
                "api.auth.mode is none: the API authenticates nobody and shows everything to everyone"
            )
        url = database_url or configured_database_url()
        cheap, costly = api.cheap_statement_timeout_seconds, api.statement_timeout_seconds
        db_pool = create_pool(url, "finops-api", CHEAP_POOL_SIZE, cheap)
        if standbys:
            # which database each pool's connections reach: a standby must reach the primary's,
            # and until one is known to, the primary's own cost pool answers the cost reads
            identities = Identities(PRIMARY_COST_POOL)
            primary = create_pool(url, PRIMARY_COST_POOL, COST_POOL_SIZE, costly, identities)
            read_pools = ReadPools(
                [
                    create_pool(standby, f"finops-api-costs-{n}", COST_POOL_SIZE, costly, identities)
                    for n, standby in enumerate(standbys, start=1)
                ],
                primary,
                identities,
            )
        else:
            read_pools = ReadPools([create_pool(url, "finops-api-costs-1", COST_POOL_SIZE, costly)])
        pools = [db_pool, *read_pools.all_pools]
        # wait=False: the API starts even with the database down, and health answers 503
        # until it is back, rather than the process failing to boot.
        await db_pool.open(wait=False)
        await read_pools.open()
        app.state.db_pool = db_pool
        app.state.read_pools = read_pools
        app.state.api_config = api
        # standbys cannot LISTEN: with read replicas the version is read per request
        watch = None if standbys else DataVersionWatch(url, db_pool)
        if watch is not None:
            watch.start()
            app.state[WATCH_KEY] = watch
        try:
            yield
        finally:
            if watch is not None:
                await watch.close()
            for pool in pools:
                await pool.close()
            if authenticator is not None:
                await authenticator.aclose()

    secured: list[dict[str, list[str]]] = [{BEARER: []}]
    api_v1 = Router(
        path="/api/v1",
        route_handlers=[
            HealthController,
            Router("/", route_handlers=[
                CostController,
                CostExportController,
                SimulationPreviewController,
                AllocationController,
                LoadController,
                MappingController,
                MeController,
                PricingViewController,
                ReferentialController,
            ], security=secured),
        ],
    )  # fmt: skip
    return Litestar(
        route_handlers=[api_v1],
        lifespan=[lifespan],
        middleware=[
            DefineMiddleware(AuthenticationMiddleware, authenticator=authenticator, exclude=PUBLIC_PATHS)
        ],
        dependencies={
            "db_pool": Provide(provide_db_pool, sync_to_thread=False),
            "cost_pool": Provide(provide_cost_pool, sync_to_thread=False),
            "read_pools": Provide(provide_read_pools, sync_to_thread=False),
            "visibility": Provide(provide_visibility),
        },
        plugins=[problem_details_plugin()],
        exception_handlers=exception_handlers(),
        # Litestar's default config runs dictConfig on every app built: the root logger's handlers
        # replaced by one bound to the sys.stderr of that moment, the root level lowered to INFO.
        # An app is built inside other processes too (`finops demo` saves its simulation through
        # one), whose later log records then went to a stream closed since. The process that
        # serves the app configures logging (`finops serve`: finops_cli/commands.py).
        logging_config=None,
        before_send=[tag_answer, *([mark_auth_disabled] if authenticator is None else [])],
        cors_config=CORSConfig(allow_origins=api.cors_origins, allow_credentials=False)
        if api.cors_origins
        else None,
        request_max_body_size=api.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="FinOps API",
            version=API_VERSION,
            description="Costs of every IT source, valued under pricing views, from the FinOps mart.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), JsonRenderPlugin(), YamlRenderPlugin()],
            components=Components(
                security_schemes={
                    BEARER: SecurityScheme(
                        type="http",
                        scheme="bearer",
                        bearer_format="JWT",
                        description="A Backstage user token (forwarded by the Backstage proxy) or a "
                        "service token from finops.yaml (docs/api-security.md).",
                    )
                }
            ),
        ),
    )
