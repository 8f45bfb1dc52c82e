"""What a browser and the Backstage proxy see: CORS only for configured origins, and cost reads
revalidated with ETags derived from the load audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from tests.api.auth_fixtures import CI_TOKEN, VIEWER_TOKEN, auth_config, bearer
from tests.api.conftest import settled
from tests.api.fake_backstage import FakeBackstage

Client = AsyncTestClient[Litestar]
BACKSTAGE_ORIGIN = "https://backstage.example.com"


@pytest.fixture
async def cors_client(costs_mart: str, backstage: FakeBackstage) -> AsyncIterator[Client]:
    api = msgspec.structs.replace(auth_config(backstage.url), cors_origins=[BACKSTAGE_ORIGIN])
    async with AsyncTestClient(app=create_app(costs_mart, api=api)) as client:
        yield client


async def test_no_cors_by_default(auth_client: Client) -> None:
    response = await auth_client.get("/api/v1/health", headers={"Origin": BACKSTAGE_ORIGIN})
    assert "access-control-allow-origin" not in response.headers


async def test_cors_for_configured_origins_only(cors_client: Client) -> None:
    preflight = await cors_client.options(
        "/api/v1/costs",
        headers={
            "Origin": BACKSTAGE_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == BACKSTAGE_ORIGIN
    answer = await cors_client.get("/api/v1/costs", headers={"Origin": BACKSTAGE_ORIGIN, **bearer(CI_TOKEN)})
    assert answer.headers["access-control-allow-origin"] == BACKSTAGE_ORIGIN
    other = await cors_client.get(
        "/api/v1/costs", headers={"Origin": "https://evil.example.com", **bearer(CI_TOKEN)}
    )
    assert "access-control-allow-origin" not in other.headers


def record_load(database_url: str) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO finops.load_audit (source, month, rows_read, rows_loaded, rows_rejected, files,"
            " cost_column, source_cost, rejected_cost, started_at, finished_at)"
            " VALUES ('aws', '2025-01-01', 0, 0, 0, '[]', 'EffectiveCost', '{}', '{}', %s, %s)",
            [now, now],
        )


async def test_cost_reads_revalidate(auth_client: Client, costs_mart: str) -> None:
    finance = bearer(CI_TOKEN)
    first = await auth_client.get("/api/v1/costs", params={"group_by": "application"}, headers=finance)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = await auth_client.get(
        "/api/v1/costs", params={"group_by": "application"}, headers={**finance, "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.headers["etag"] == etag and again.content == b""
    # another question, or another caller's view of it, has another tag
    other_query = await auth_client.get("/api/v1/costs", params={"group_by": "family"}, headers=finance)
    viewer = await auth_client.get(
        "/api/v1/costs", params={"group_by": "application"}, headers=bearer(VIEWER_TOKEN)
    )
    assert len({etag, other_query.headers["etag"], viewer.headers["etag"]}) == 3
    # a month materialized again: a new load attempt in the audit, a new tag, a full answer
    record_load(costs_mart)
    await settled(auth_client, costs_mart)
    after_load = await auth_client.get(
        "/api/v1/costs", params={"group_by": "application"}, headers={**finance, "If-None-Match": etag}
    )
    assert after_load.status_code == 200
    assert after_load.headers["etag"] != etag
    assert after_load.json() == first.json()


async def test_errors_carry_no_etag(auth_client: Client) -> None:
    response = await auth_client.get("/api/v1/costs", params={"view": "nope"}, headers=bearer(CI_TOKEN))
    assert response.status_code == 400
    assert "etag" not in response.headers
