"""The abuse an anonymous probe found (issue 10), each closed: oversized bodies and simulations,
queries without end, heavy reads starving cheap ones, and a simulation blocking the batch."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import msgspec
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_api.db import COST_POOL_SIZE
from finops_assets.referentials.pricing import apply_pricing, read_pricing
from finops_core.config import ConfigError
from tests.api.auth_fixtures import CI_TOKEN, auth_config, bearer, insert_owners
from tests.api.conftest import READ_MODELS
from tests.api.fake_backstage import FakeBackstage
from tests.api.live_server import live_server
from tests.pipeline import query

Client = AsyncTestClient[Litestar]
CREATE = "/api/v1/pricing-views/simulations"
FINANCE = bearer(CI_TOKEN)


def simulation(code: str, adjustments: int) -> dict[str, object]:
    adjustment = {"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "1"}
    return {"code": code, "name": code, "base_view": "actual", "adjustments": [adjustment] * adjustments}


async def test_adjustments_are_capped(auth_client: Client) -> None:
    assert (
        await auth_client.post(CREATE, json=simulation("sim-max", 200), headers=FINANCE)
    ).status_code == 201
    response = await auth_client.post(CREATE, json=simulation("sim-over", 201), headers=FINANCE)
    assert response.status_code == 400
    assert response.json()["invalid_params"] == [
        {"name": "adjustments", "reason": "at most 200 adjustments per simulation, got 201"}
    ]


async def test_a_body_over_the_limit_is_413(auth_client: Client, costs_mart: str) -> None:
    # the probe's 90,000 adjustments (8.2 MB)
    response = await auth_client.post(CREATE, json=simulation("sim-huge", 90_000), headers=FINANCE)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    taken = query(costs_mart, "SELECT count(*) FROM finops.pricing_view WHERE pricing_view_code = 'sim-huge'")
    assert taken == [(0,)]


@pytest.fixture
def read_models_locked(costs_mart: str) -> Iterator[None]:
    """Every read model locked by another session, as a long re-materialization would: a costs
    query then waits, as long as its statement timeout lets it."""
    with psycopg.connect(costs_mart) as conn:
        tables = ", ".join(f"finops.{table}" for table in READ_MODELS)
        conn.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        yield
        conn.rollback()


@pytest.fixture
async def impatient_client(costs_mart: str, backstage: FakeBackstage) -> AsyncIterator[Client]:
    insert_owners(costs_mart)
    api = msgspec.structs.replace(auth_config(backstage.url), statement_timeout_seconds=1.0)
    async with AsyncTestClient(app=create_app(costs_mart, api=api)) as client:
        yield client


@pytest.mark.usefixtures("read_models_locked")
async def test_a_query_past_its_timeout_is_cancelled(impatient_client: Client) -> None:
    response = await impatient_client.get("/api/v1/costs", headers=FINANCE)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "urn:finops:problem:query-timeout"


@pytest.mark.usefixtures("read_models_locked")
async def test_cheap_reads_answer_while_every_cost_connection_is_busy(
    costs_mart: str, backstage: FakeBackstage
) -> None:
    api = msgspec.structs.replace(auth_config(backstage.url), statement_timeout_seconds=2.0)
    with live_server(create_app(costs_mart, api=api)) as url:
        async with httpx.AsyncClient(base_url=url, headers=FINANCE, timeout=30) as client:
            heavy = [asyncio.create_task(client.get("/api/v1/costs")) for _ in range(COST_POOL_SIZE + 2)]
            await asyncio.sleep(0.5)  # they take every connection of the cost pool, and wait
            cheap = await client.get("/api/v1/pricing-views")
            assert cheap.status_code == 200
            assert not any(task.done() for task in heavy)  # answered while all of them still wait
            statuses = [response.status_code for response in await asyncio.gather(*heavy)]
    assert statuses == [503] * (COST_POOL_SIZE + 2)


async def test_the_api_can_never_block_the_pricing_files(
    auth_client: Client, costs_mart: str, tmp_path: Path
) -> None:
    """The probe's budget-2027: created, then deleted, through the API; the pricing files declaring
    that code later failed every `finops materialize`. The API's simulations are sim-... codes, a
    namespace the files may not use."""
    refused = await auth_client.post(CREATE, json=simulation("budget-2027", 1), headers=FINANCE)
    assert refused.status_code == 400
    assert [param["name"] for param in refused.json()["invalid_params"]] == ["code"]
    assert (
        await auth_client.post(CREATE, json=simulation("sim-budget-2027", 1), headers=FINANCE)
    ).status_code == 201
    assert (
        await auth_client.delete("/api/v1/pricing-views/sim-budget-2027", headers=FINANCE)
    ).status_code == 204
    folder = tmp_path / "pricing"
    folder.mkdir()
    (folder / "budget-2027.yaml").write_text(
        "pricing_views:\n  - {code: budget-2027, name: Budget 2027, currency: EUR, prices: []}\n"
    )
    apply_pricing(costs_mart, read_pricing(folder))
    assert query(
        costs_mart, "SELECT kind, from_files FROM finops.pricing_view WHERE pricing_view_code = 'budget-2027'"
    ) == [("rate_card", True)]
    (folder / "budget-2027.yaml").write_text(
        "pricing_views:\n  - {code: sim-budget-2027, name: Budget 2027, currency: EUR, prices: []}\n"
    )
    with pytest.raises(ConfigError, match=r"pricing_views\[0\]\.code: 'sim-budget-2027': sim-\.\.\. codes"):
        read_pricing(folder)
