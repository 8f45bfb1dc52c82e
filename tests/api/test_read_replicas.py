"""Read replicas: the API's cost reads served by a real streaming-replication standby while the
batch and the API's own writes go to the primary (finops_api/db.py ReadPools)."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_api.db import PRIMARY_COST_POOL
from finops_core.migrations import upgrade
from finops_core.settings import split_database_urls
from tests.api.conftest import COST_LINES, OPEN_API, insert_cost_lines
from tests.api.test_costs import costs
from tests.api.test_simulations import VM_PLUS_TEN, create
from tests.conftest import with_database
from tests.pipeline import focus_source, query, run_month
from tests.replication import primary_and_standby, wait_for_replay
from tests.test_month_loads import line, write_csv

JANUARY, FEBRUARY = date(2025, 1, 1), date(2025, 2, 1)


def month_totals(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(row["month"], row["currency"], row["cost"]) for row in body["rows"]]


def replay_lag_bytes(primary_url: str, standby_url: str) -> int:
    """Measured here, apart from the API: the primary's WAL position less the standby's replay."""
    (position,) = query(primary_url, "SELECT pg_current_wal_lsn()::text")[0]
    (lag,) = query(
        standby_url, "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())::bigint", position
    )[0]
    return int(lag)


def set_replay(standby_url: str, paused: bool) -> None:
    with psycopg.connect(standby_url, autocommit=True) as standby:
        standby.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 5
        wanted = "paused" if paused else "not paused"
        while standby.execute("SELECT pg_get_wal_replay_pause_state()").fetchone() != (wanted,):
            assert time.monotonic() < deadline, f"replay not {wanted} after 5 s"
            time.sleep(0.02)


async def health_replicas(client: AsyncTestClient[Litestar]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200, response.text
    replicas: list[dict[str, Any]] = response.json()["replicas"]
    return replicas


async def test_a_month_published_on_the_primary_is_served_by_the_standby_once_replayed(
    tmp_path: Path,
) -> None:
    bills = tmp_path / "bills"
    source = focus_source("cloud", bills, application_tag="application")
    write_csv(bills / "bill_2025-01.csv", [line(JANUARY, "1.10"), line(JANUARY, "1.05", app="search")])
    with primary_and_standby() as servers:
        primary, standby = servers.primary_url, servers.standby_url
        upgrade(primary)
        await asyncio.to_thread(run_month, primary, tmp_path / "landing", JANUARY, source)
        january_replay = wait_for_replay(primary, standby)
        app = create_app(primary, api=OPEN_API, read_database_urls=[standby])
        async with AsyncTestClient(app=app) as client:
            january = await client.get("/api/v1/costs", params={"group_by": "month"})
            assert month_totals(january.json()) == [("2025-01", "EUR", "2.15")]  # 1.10 + 1.05

            # Replay paused: the primary moves on, the API's cost reads do not (they are the standby's)
            set_replay(standby, paused=True)
            write_csv(
                bills / "bill_2025-02.csv", [line(FEBRUARY, "2.10"), line(FEBRUARY, "0.40", app="search")]
            )
            await asyncio.to_thread(run_month, primary, tmp_path / "landing", FEBRUARY, source)
            assert month_totals(await costs(client, group_by="month")) == [("2025-01", "EUR", "2.15")]
            # ... and neither does their ETag: its data version is read on the standby too
            held = {"If-None-Match": january.headers["etag"]}
            assert (
                await client.get("/api/v1/costs", params={"group_by": "month"}, headers=held)
            ).status_code == 304

            lag_before = replay_lag_bytes(primary, standby)
            [paused] = await health_replicas(client)
            lag_after = replay_lag_bytes(primary, standby)
            assert paused["replica"] == 1
            assert paused["status"] == "ok"
            assert 0 < lag_before <= paused["replay_lag_bytes"] <= lag_after
            assert paused["replay_lag_seconds"] > 0

            # The API's own write goes to the primary, and its cheap reads see it at once
            await create(client, VM_PLUS_TEN)
            code = VM_PLUS_TEN["code"]
            listed = (await client.get("/api/v1/pricing-views")).json()["rows"]
            assert code in [view["code"] for view in listed]
            asking = "SELECT count(*) FROM finops.pricing_view WHERE pricing_view_code = %s"
            assert (query(primary, asking, code), query(standby, asking, code)) == ([(1,)], [(0,)])

            set_replay(standby, paused=False)
            february_replay = wait_for_replay(primary, standby)
            both = await client.get("/api/v1/costs", params={"group_by": "month"}, headers=held)
            assert both.status_code == 200
            assert month_totals(both.json()) == [
                ("2025-01", "EUR", "2.15"),
                ("2025-02", "EUR", "2.5"),
            ]  # 2.10 + 0.40
            assert query(standby, asking, code) == [(1,)]
            caught_up = await _until_current(client)
    print(
        f"\nstandby: January replayed {january_replay * 1000:.0f} ms after its materialization; "
        f"paused replay {paused['replay_lag_bytes']} bytes / {paused['replay_lag_seconds']} s behind; "
        f"caught up {february_replay * 1000:.0f} ms after resuming; /health then {caught_up}"
    )


async def _until_current(client: AsyncTestClient[Litestar]) -> dict[str, Any]:
    """/health once the standby reports no lag (the primary can write a little WAL of its own,
    e.g. its periodic snapshot record, which streams within milliseconds)."""
    deadline = time.monotonic() + 5
    while True:
        [replica] = await health_replicas(client)
        if replica["replay_lag_bytes"] == 0:
            assert replica["replay_lag_seconds"] == 0
            return replica
        assert time.monotonic() < deadline, replica
        await asyncio.sleep(0.05)


def test_read_database_urls_are_split_on_commas_before_a_scheme() -> None:
    text = (
        "postgresql://a:5432/finops, postgres://b/finops,postgresql://c:1,d:2/finops?target_session_attrs=any"
    )
    assert split_database_urls(text) == (
        "postgresql://a:5432/finops",
        "postgres://b/finops",
        "postgresql://c:1,d:2/finops?target_session_attrs=any",
    )
    assert split_database_urls("") == ()


async def connected(app: Litestar, standbys: int | None = None) -> None:
    """The API's pools to the primary and the first `standbys` standbys (all when None) have made
    a first connection, which records the database each reached (finops_api/db.py): what the
    turns depend on, decided here rather than by timing."""
    deadline = time.monotonic() + 5
    read_pools = app.state.read_pools
    names = [pool.name for pool in read_pools.pools[:standbys]] + [PRIMARY_COST_POOL]
    # not pool.wait(): the app's loop is not this one, and its event came 5 s late
    while app.state.db_pool.get_stats().get("pool_available", 0) < 1 or any(
        name not in read_pools._identities.seen for name in names
    ):
        assert time.monotonic() < deadline, f"{names} have not all connected in 5 s"
        await asyncio.sleep(0.01)


async def test_each_request_reads_its_rows_and_its_etag_from_one_read_database_in_turn_never_another(
    admin_url: str,
) -> None:
    """The standby, its replay paused, and the primary itself hold different months, as two
    standbys at different replay points would: requests take them in turn, and each answer's
    ETag is the version of the database it read. The test server's own `postgres` database, of
    the primary's name but of another system, is listed third: it is never read."""
    january = [line for line in COST_LINES if line[0] == "2025-01" and line[1] == "actual"]
    march = [line for line in COST_LINES if line[0] == "2025-03"]
    with primary_and_standby() as servers:
        primary, standby = servers.primary_url, servers.standby_url
        upgrade(primary)
        insert_cost_lines(primary, january)
        wait_for_replay(primary, standby)
        set_replay(standby, paused=True)
        insert_cost_lines(primary, march)
        with psycopg.connect(primary) as conn:  # a write the standby has not replayed
            conn.execute(
                "INSERT INTO finops.api_write_audit (subject, role, action, target)"
                " VALUES ('user:default/ada', 'admin', 'createSimulation', 'sim')"
            )
        another = with_database(admin_url, "postgres")
        app = create_app(primary, api=OPEN_API, read_database_urls=[standby, primary, another])
        async with AsyncTestClient(app=app) as client:
            await connected(client.app)
            answers = [await client.get("/api/v1/costs", params={"group_by": "month"}) for _ in range(6)]
            replicas = await health_replicas(client)
    assert [answer.status_code for answer in answers] == [200] * 6
    totals = [month_totals(answer.json()) for answer in answers]
    on_standby = [("2025-01", "EUR", "16.40")]  # 10.15 + 6.25
    on_primary = [*on_standby, ("2025-03", "EUR", "9.10")]  # 9.09 + 0.01
    # the third's turn goes to the next of the others in turn: the standby
    assert totals == [on_standby, on_primary, on_standby, on_standby, on_primary, on_standby]
    etags = [answer.headers["etag"] for answer in answers]
    assert etags[0] == etags[2] == etags[3] != etags[1] == etags[4]
    assert [(replica["replica"], replica["status"]) for replica in replicas] == [
        (1, "ok"),
        (2, "ok"),
        (3, "not_a_standby"),
    ]
    assert replicas[0]["replay_lag_bytes"] > 0 and replicas[1]["replay_lag_bytes"] == 0
    assert replicas[2]["replay_lag_bytes"] is None and replicas[2]["replay_lag_seconds"] is None
