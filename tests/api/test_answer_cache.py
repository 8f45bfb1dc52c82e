"""The answers kept under their ETag (finops_api/answer_cache.py) are served until the data
changes, and never after: a month re-materialized, or valued again without a load."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from finops_api.app import create_app
from finops_api.data_version import data_version_watch
from finops_assets.mart.read_models import refresh_rollups
from finops_core.config import ConfigError, load_config
from tests.api.conftest import OPEN_API
from tests.pipeline import focus_source, run_month
from tests.test_month_loads import MONTHS, line, write_csv

# synchronous: the materializations run in the test's own thread, as Dagster wants them
Client = TestClient[Litestar]
MONTH = MONTHS[0]
JANUARY = {"group_by": "application", "from": "2025-01", "to": "2025-01"}


def materialize(url: str, tmp_path: Path, cost: str) -> None:
    """January's bill holds one line of payments at this cost; the month is materialized."""
    bills = write_csv(tmp_path / "bills" / "bill.csv", [line(MONTH, cost)])
    run_month(
        url, tmp_path / "landing", MONTH, focus_source("cloud", bills.parent, application_tag="application")
    )


def behind_the_triggers(url: str, table: str, cost: str) -> None:
    """Change a read model's cost without recording a data change: only a kept answer hides it."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE finops.{table} DISABLE TRIGGER USER".encode())
        conn.execute(
            f"UPDATE finops.{table} SET cost = %s WHERE month = %s".encode(), [cost, date(2025, 1, 1)]
        )
        conn.execute(f"ALTER TABLE finops.{table} ENABLE TRIGGER USER".encode())


def notified(client: Client) -> int:
    watch = data_version_watch(client.app.state)
    return watch.notifications if watch is not None else 0


def told(client: Client, before: int) -> None:
    """Until the API process has received the notification of the change committed since
    notified() said before (PostgreSQL sends it at the commit; finops_api/data_version.py says
    what "exactly" means across processes). No wait when the process is not listening: it then
    reads the version per request."""
    watch = data_version_watch(client.app.state)
    deadline = time.monotonic() + 10
    while watch is not None and watch.listening and watch.notifications <= before:
        assert time.monotonic() < deadline, "no notification of the change"
        time.sleep(0.01)


@pytest.fixture
def january(mart_url: str, tmp_path: Path) -> str:
    materialize(mart_url, tmp_path, "1.50")
    return mart_url


@pytest.fixture
def client(january: str) -> Iterator[Client]:
    with TestClient(app=create_app(january, api=OPEN_API)) as client:
        yield client


def payments(client: Client) -> Decimal:
    response = client.get("/api/v1/costs", params=JANUARY)
    assert response.status_code == 200, response.text
    (row,) = response.json()["rows"]
    assert row["application"] == "payments"
    return Decimal(row["cost"])


def test_an_answer_is_kept_until_its_month_is_materialized_again(
    client: Client, january: str, tmp_path: Path
) -> None:
    assert payments(client) == Decimal("1.50")
    # the roll-up changed behind the triggers: the answer kept is served, without a query
    behind_the_triggers(january, "cost_by_application", "9.99")
    assert payments(client) == Decimal("1.50")
    # another question is not kept yet: it reads the roll-up as it is
    total = client.get(
        "/api/v1/costs", params={"group_by": "application", "from": "2025-01", "to": "2025-02"}
    )
    assert [Decimal(row["cost"]) for row in total.json()["rows"]] == [Decimal("9.99")]
    # the month materialized again from a corrected bill: the next answer is the new one
    before = notified(client)
    materialize(january, tmp_path, "2.25")
    told(client, before)
    assert payments(client) == Decimal("2.25")


def test_a_valuation_alone_changes_the_answers(client: Client, january: str) -> None:
    assert payments(client) == Decimal("1.50")
    behind_the_triggers(january, "cost_by_product", "7.00")
    assert payments(client) == Decimal("1.50")
    # the roll-ups rebuilt from cost_by_product, as mart/cost_views does, without a load
    before = notified(client)
    refresh_rollups(january, MONTH)
    told(client, before)
    assert payments(client) == Decimal("7.00")


def test_a_kept_answer_has_the_same_headers_and_revalidates(client: Client) -> None:
    first = client.get("/api/v1/costs", params=JANUARY)
    again = client.get("/api/v1/costs", params=JANUARY)
    assert again.status_code == first.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.headers["cache-control"] == "private, no-cache"
    held = client.get("/api/v1/costs", params=JANUARY, headers={"If-None-Match": first.headers["etag"]})
    assert held.status_code == 304


def test_no_answer_is_kept_with_a_cache_of_zero(january: str, tmp_path: Path) -> None:
    api = msgspec.structs.replace(OPEN_API, answer_cache_megabytes=0)
    with TestClient(app=create_app(january, api=api)) as client:
        assert payments(client) == Decimal("1.50")
        behind_the_triggers(january, "cost_by_application", "9.99")
        assert payments(client) == Decimal("9.99")  # read from the mart each time
    config = tmp_path / "finops.yaml"
    config.write_text("sources: []\napi:\n  auth: {mode: none}\n  answer_cache_megabytes: -1\n")
    with pytest.raises(ConfigError, match=r"api\.answer_cache_megabytes: -1 must be between 0 and 65536"):
        load_config(config)
