"""The data version kept in memory per API process (finops_api/data_version.py): read again on
the first request after a month's publication commits (a real materialization, notified by
migration 0024's triggers), at most MAX_AGE_SECONDS late when no notification comes, and read per
request while the process is not listening."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from finops_api.app import create_app
from finops_api.data_version import MAX_AGE_SECONDS, DataVersionWatch, data_version_watch
from tests.api.conftest import OPEN_API
from tests.api.test_answer_cache import JANUARY, materialize, notified, payments, told

Client = TestClient[Litestar]


def watch_of(client: Client) -> DataVersionWatch:
    watch = data_version_watch(client.app.state)
    assert watch is not None
    return watch


def until(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


@pytest.fixture
def client(mart_url: str, tmp_path: Path) -> Iterator[Client]:
    materialize(mart_url, tmp_path, "1.50")
    with TestClient(app=create_app(mart_url, api=OPEN_API)) as client:
        until(lambda: watch_of(client).listening)
        yield client


def watched(watch: DataVersionWatch, socket: int) -> bool:
    """Whether the app's event loop (another thread's) has a reader on the socket."""
    assert watch._task is not None
    loop = watch._task.get_loop()
    found: Future[bool] = Future()

    def look() -> None:  # read only: the number may be another connection's by now
        key = loop._selector.get_map().get(socket)  # type: ignore[attr-defined]
        found.set_result(key is not None and key.data[0] is not None)  # (reader, writer)

    loop.call_soon_threadsafe(look)
    return found.result(timeout=5)


def etag(client: Client) -> str:
    response = client.get("/api/v1/costs", params=JANUARY)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def silent_change(url: str) -> None:
    """A data change whose notification is not sent: only the version's age can reveal it."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE finops.data_change DISABLE TRIGGER data_change_notified")
        conn.execute("INSERT INTO finops.data_change (table_name) VALUES ('test')")
        conn.execute("ALTER TABLE finops.data_change ENABLE TRIGGER data_change_notified")


def test_a_materialized_month_changes_the_very_next_answer(
    client: Client, mart_url: str, tmp_path: Path
) -> None:
    assert payments(client) == Decimal("1.50")
    before, seen = etag(client), notified(client)
    materialize(mart_url, tmp_path, "2.25")  # returns once the month's publication committed
    told(client, seen)  # told, not just aged: a notification arrived
    assert payments(client) == Decimal("2.25")
    assert etag(client) != before
    seen = notified(client)
    materialize(mart_url, tmp_path, "3.00")
    told(client, seen)
    assert payments(client) == Decimal("3.00")


def test_the_version_is_kept_without_a_notification_at_most_max_age(client: Client, mart_url: str) -> None:
    first = etag(client)
    silent_change(mart_url)
    started = time.monotonic()
    kept = etag(client)
    if time.monotonic() - started < MAX_AGE_SECONDS / 2:  # a loaded machine may have taken longer
        assert kept == first  # kept in memory: no query per request
    time.sleep(MAX_AGE_SECONDS + 0.1)
    assert etag(client) != first


def test_without_its_listening_connection_the_version_is_read_per_request(
    client: Client, mart_url: str
) -> None:
    watch = watch_of(client)
    first = etag(client)
    listening = watch._socket
    assert listening is not None
    with psycopg.connect(mart_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'finops-api-data-version' AND datname = current_database()"
        )
    until(lambda: not watch.listening)
    # the lost connection's socket is watched no more: its reader stayed (a lost connection has
    # no socket to name), and once the number went to another connection's socket, ran in a
    # loop at full CPU (after every restart of the database)
    assert not watched(watch, listening)
    silent_change(mart_url)
    second = etag(client)
    assert second != first  # read per request: the silent change is seen at once
    # listening again (RECONNECT_SECONDS later), then kept again
    until(lambda: watch.listening)
    assert etag(client) == etag(client)


def test_a_simulation_written_by_the_process_is_seen_by_its_next_request(client: Client) -> None:
    simulation = {
        "code": "sim-payments-double",
        "name": "Payments doubled",
        "base_view": "actual",
        "adjustments": [{"scope": {"level": "application", "code": "payments"}, "kind": "percent",
                         "value": "100"}],
    }  # fmt: skip
    assert client.post("/api/v1/pricing-views/simulations", json=simulation).status_code == 201
    asked = {**JANUARY, "view": "sim-payments-double"}
    (row,) = client.get("/api/v1/costs", params=asked).json()["rows"]
    assert Decimal(row["cost"]) == Decimal("3.00")  # 1.50 doubled, and kept
    assert client.delete("/api/v1/pricing-views/sim-payments-double").status_code == 204
    # no wait for the notification: the process knows it wrote
    response = client.get("/api/v1/costs", params=asked)
    assert response.status_code == 400
    assert "unknown pricing view 'sim-payments-double'" in response.text
