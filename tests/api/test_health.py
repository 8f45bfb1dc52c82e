from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from psycopg.conninfo import conninfo_to_dict

from finops_api.app import create_app
from finops_api.db import PRIMARY_COST_POOL, create_pool
from finops_core.migrations import available_migrations, upgrade
from tests.api.conftest import COST_LINES, OPEN_API, insert_cost_lines
from tests.api.test_read_replicas import connected
from tests.conftest import _create, _drop

# Nothing listens on port 1: connections are refused at once.
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/finops?connect_timeout=2"

LATEST = available_migrations()[-1].version


async def test_health_reports_the_schema_version(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema_version": LATEST,
        "replicas": [],
        "stale_months": [],
    }


async def test_health_lists_an_unreachable_read_replica_and_stays_up(
    mart_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the primary and the other replicas still serve: a probe must not take the API out of service
    monkeypatch.setattr("finops_api.health.services.HEALTH_TIMEOUT", 0.5)
    app = create_app(mart_url, api=OPEN_API, read_database_urls=[mart_url, UNREACHABLE])
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["replicas"] == [
        # a server that is not a standby is current
        {"replica": 1, "status": "ok", "replay_lag_bytes": 0, "replay_lag_seconds": 0.0},
        {"replica": 2, "status": "unavailable", "replay_lag_bytes": None, "replay_lag_seconds": None},
    ]
    assert "127.0.0.1" not in response.text


async def test_a_standby_found_down_is_passed_over_until_it_connects_again(
    mart_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # before: every other cost read waited the pool's timeout for a 503 while the other served
    monkeypatch.setattr("finops_api.db.POOL_TIMEOUT", 0.5)
    app = create_app(mart_url, api=OPEN_API, read_database_urls=[mart_url, UNREACHABLE])

    async def statuses(count: int) -> list[int]:
        answered = []
        for _ in range(count):
            answered.append((await client.get("/api/v1/costs")).status_code)
            await asyncio.sleep(0.05)  # the probe of a standby a read failed on, in the background
        return answered

    async with AsyncTestClient(app=app) as client:
        await connected(client.app, standbys=1)
        read_pools = client.app.state.read_pools
        # it answered once as the primary's database, and has gone down since
        read_pools._identities.seen["finops-api-costs-2"] = read_pools._identities.seen[PRIMARY_COST_POOL]
        assert await statuses(6) == [200, 503, 200, 200, 200, 200]
        assert [r.getMessage() for r in caplog.records if r.name == "finops_api.db"] == [
            'finops-api-costs-2 unreachable (connection failed: connection to server at "127.0.0.1", '
            "port 1 failed: Connection refused): its cost reads go to the other standbys for up to 60 s"
        ]
        monkeypatch.setattr("finops_api.db.DOWN_SECONDS", 0.0)  # its time is up: tried again
        assert sorted(await statuses(2)) == [200, 503]


async def test_a_standby_never_reached_is_read_by_no_request(
    mart_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # before: every other cost read went to it, to answer 503 after the pool's timeout
    app = create_app(mart_url, api=OPEN_API, read_database_urls=[UNREACHABLE, UNREACHABLE])
    async with AsyncTestClient(app=app) as client:
        answered = []
        for _ in range(4):
            answered.append((await client.get("/api/v1/costs")).status_code)
            await asyncio.sleep(0.05)  # the probes that learn which database each is
        read_pools = client.app.state.read_pools
        assert [read_pools.next().name for _ in range(2)] == [PRIMARY_COST_POOL] * 2
    assert answered == [200] * 4  # on the primary
    assert sorted(r.getMessage().split(" ")[0] for r in caplog.records if r.name == "finops_api.db") == [
        "finops-api-costs-1",
        "finops-api-costs-2",
    ]  # each probed once, then passed over for DOWN_SECONDS


@pytest.mark.parametrize(("urls", "down"), [("answer", False), ("refuse", True)])
async def test_a_standby_is_passed_over_only_when_its_probe_fails_and_all_down_take_turns(
    mart_url: str, urls: str, down: bool
) -> None:
    # a read may fail without the standby being down (a conflict with recovery, the primary's
    # pool): its probe connects and it keeps its turn; every standby down, they still take turns
    standby = mart_url if urls == "answer" else UNREACHABLE
    app = create_app(mart_url, api=OPEN_API, read_database_urls=[standby, standby])
    async with AsyncTestClient(app=app) as client:
        await connected(client.app, standbys=0)
        read_pools = client.app.state.read_pools
        first, second = read_pools.pools
        for pool in read_pools.pools:  # each answered once as the primary's database
            read_pools._identities.seen[pool.name] = read_pools._identities.seen[PRIMARY_COST_POOL]
        read_pools.suspect(first)
        read_pools.suspect(second)
        await asyncio.sleep(0.5)
        assert read_pools._is_down(first) is down and read_pools._is_down(second) is down
        assert [read_pools.next() for _ in range(4)] == [first, second, first, second]


@pytest.fixture
def other_mart_url(admin_url: str, migrated_template: str) -> Iterator[str]:
    name = f"finops_test_{uuid.uuid4().hex[:12]}"
    yield _create(admin_url, name, template=migrated_template)
    _drop(admin_url, name)


async def test_a_read_database_that_is_not_the_primarys_is_never_read_and_health_says_so(
    mart_url: str, other_mart_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # another mart of the primary's own server (a typo in the database name): a full mart, whose
    # answers were served as the primary's, and health said ok
    insert_cost_lines(mart_url, [line for line in COST_LINES if line[0] == "2025-01"])
    insert_cost_lines(other_mart_url, [line for line in COST_LINES if line[0] == "2025-03"])
    app = create_app(mart_url, api=OPEN_API, read_database_urls=[other_mart_url, other_mart_url])
    async with AsyncTestClient(app=app) as client:
        await connected(client.app)
        answers = [await client.get("/api/v1/costs", params={"group_by": "month"}) for _ in range(3)]
        replicas = (await client.get("/api/v1/health")).json()["replicas"]
        # and their pools hold no connection to lend: each is refused as it is made
        assert [pool.get_stats().get("pool_available", 0) for pool in client.app.state.read_pools.pools] == [
            0,
            0,
        ]
    # every read on the primary, whose January holds 10.15 + 6.25 under actual
    answered = {(answer.status_code, answer.json()["rows"][0]["month"]) for answer in answers}
    assert answered == {(200, "2025-01")}
    assert replicas == [
        {"replica": n, "status": "not_a_standby", "replay_lag_bytes": None, "replay_lag_seconds": None}
        for n in (1, 2)
    ]
    primary_db, other_db = (conninfo_to_dict(url)["dbname"] for url in (mart_url, other_mart_url))
    logged = [r.getMessage() for r in caplog.records if r.name == "finops_api.db"]
    assert len(logged) == 2, logged  # once for each, however many reads passed it over
    assert logged[0].startswith(
        f"finops-api-costs-1 is not a standby of the primary: it reached database '{other_db}'"
    )
    assert f"the primary is '{primary_db}'" in logged[0]


async def test_health_is_503_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("finops_api.health.services.HEALTH_TIMEOUT", 0.5)
    async with AsyncTestClient(app=create_app(UNREACHABLE, api=OPEN_API)) as client:
        response = await client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["type"] == "urn:finops:problem:database-unavailable"
    assert body["status"] == 503
    assert "127.0.0.1" not in response.text  # connection details stay in the server


async def test_other_endpoints_are_503_when_the_database_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("finops_api.db.POOL_TIMEOUT", 0.5)
    async with AsyncTestClient(app=create_app(UNREACHABLE, api=OPEN_API)) as client:
        response = await client.get("/api/v1/costs")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:finops:problem:database-unavailable"


async def test_health_is_503_on_a_database_without_the_mart(empty_database_url: str) -> None:
    async with AsyncTestClient(app=create_app(empty_database_url, api=OPEN_API)) as client:
        response = await client.get("/api/v1/health")
    assert response.status_code == 503
    assert "finops db upgrade" in response.json()["detail"]


async def test_a_schema_behind_the_code_is_503_naming_the_fix_not_500(empty_database_url: str) -> None:
    upgrade(empty_database_url, target="0010")  # a release of 0010 left it; this code needs LATEST
    async with AsyncTestClient(app=create_app(empty_database_url, api=OPEN_API)) as client:
        health = await client.get("/api/v1/health")
        costs = await client.get("/api/v1/costs")  # reads finops.month_publication (0019)
    assert health.status_code == 503
    assert health.json()["detail"] == (
        f"the mart's schema is at 0010; this release needs {LATEST}: run `finops db upgrade`"
    )
    assert costs.status_code == 503
    assert costs.headers["retry-after"] == "5"
    assert costs.json() == {
        "status": 503,
        "title": "Database unavailable",
        "type": "urn:finops:problem:database-unavailable",
        "detail": "the database's schema is not this release's; run `finops db upgrade` "
        "(GET /api/v1/health names the version it is at)",
    }


async def test_pool_sessions_use_custom_plans_read_only_and_a_statement_timeout(mart_url: str) -> None:
    # psycopg prepares statements after 5 runs; a generic plan would stop pruning month partitions
    pool = create_pool(mart_url, "test", 1, 0.25)
    await pool.open(wait=True)
    try:
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT current_setting('plan_cache_mode'), current_setting('default_transaction_read_only'),"
                " current_setting('statement_timeout')"
            )
            assert await cur.fetchone() == ("force_custom_plan", "on", "250ms")
            with pytest.raises(psycopg.errors.QueryCanceled):
                await conn.execute("SELECT pg_sleep(5)")
    finally:
        await pool.close()
