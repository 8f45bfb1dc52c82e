"""The real app on a real, freshly migrated PostgreSQL (tests/conftest.py's mart_url)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_api.data_version import CHANNEL, data_version_watch
from finops_assets.mart.read_models import rollup_parameters
from finops_core.api_config import ApiConfig, AuthConfig
from finops_core.sql import sql_statements
from tests.api.auth_fixtures import ADMINS, FINANCE, PAYMENTS_TEAM, auth_config, insert_owners
from tests.api.fake_backstage import FakeBackstage, serve_fake_backstage

OPEN_API = ApiConfig(auth=AuthConfig(mode="none"))
"""No authentication: the tests of what the API answers; tests/api/test_auth*.py test who may ask."""

READ_MODELS = (
    "cost_by_product",
    "cost_by_application_family",
    "cost_by_application",
    "cost_by_owner_family",
    "cost_by_family",
    "cost_by_owner",
)

# (month, view, source, application, domain, family, product, currency, unit, quantity, cost)
CostLine = tuple[str, str, str, str, str, str, str, str, str, str, str | None]

# Hand-picked so that every expected figure in the tests can be added up by hand.
COST_LINES: list[CostLine] = [
    # 2025-01 payments: one unit, 10.10 + 0.05 = 10.15, 100 + 3.5 = 103.5 Hours
    ("2025-01", "actual", "aws", "payments", "compute", "vm", "vm-small", "EUR", "Hours", "100", "10.10"),
    ("2025-01", "actual", "aws", "payments", "compute", "vm", "vm-large", "EUR", "Hours", "3.5", "0.05"),
    # 2025-01 billing: two units (quantity null), 2.00 + 4.25 = 6.25
    ("2025-01", "actual", "aws", "billing", "compute", "vm", "vm-small", "EUR", "Hours", "20", "2.00"),
    ("2025-01", "actual", "aws", "billing", "storage", "disk", "disk-ssd", "EUR", "GB-Months", "50", "4.25"),
    # 2025-02 payments: one row unpriced (cost null, priced false), 100 + 40 = 140 Hours
    ("2025-02", "actual", "aws", "payments", "compute", "vm", "vm-small", "EUR", "Hours", "100", "11.00"),
    ("2025-02", "actual", "onprem", "payments", "compute", "vm", "vm-onprem", "EUR", "Hours", "40", None),
    # 2025-02 billing: two currencies, never added together
    ("2025-02", "actual", "aws", "billing", "storage", "disk", "disk-ssd", "EUR", "GB-Months", "50", "4.25"),
    (
        "2025-02",
        "actual",
        "gcp",
        "billing",
        "storage",
        "disk",
        "gcs-standard",
        "USD",
        "GB-Months",
        "10",
        "0.20",
    ),
    # 2025-03 payments: two units, 9.09 + 0.01 = 9.10
    ("2025-03", "actual", "aws", "payments", "compute", "vm", "vm-small", "EUR", "Hours", "90", "9.09"),
    ("2025-03", "actual", "aws", "payments", "network", "egress", "egress-gb", "EUR", "GB", "1000", "0.01"),
    # another view, for one month only: must never mix with `actual`
    ("2025-01", "budget", "aws", "payments", "compute", "vm", "vm-small", "EUR", "Hours", "100", "12.00"),
]


def insert_cost_lines(database_url: str, lines: Iterable[CostLine]) -> None:
    """Write cost_by_product as the batch would, then build the roll-ups with the batch's own
    statement, so that the API is tested against the real roll-up definition."""
    lines = list(lines)
    months = sorted({date.fromisoformat(f"{line[0]}-01") for line in lines})
    with psycopg.connect(database_url) as conn:
        for month in months:
            for table in READ_MODELS:
                conn.execute(
                    "SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month]
                )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO finops.cost_by_product (month, pricing_view_code, source, application_code,"
                " domain_code, family_code, product_code, currency, unit, quantity, cost)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        date.fromisoformat(f"{line[0]}-01"),
                        *line[1:9],
                        Decimal(line[9]),
                        None if line[10] is None else Decimal(line[10]),
                    )
                    for line in lines
                ],
            )
        for month in months:
            for statement in sql_statements("batch/refresh_cost_rollups.sql"):
                conn.execute(statement, rollup_parameters(month))


def insert_pricing_views(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO finops.pricing_view (pricing_view_code, name, kind, currency, base_view, deleted_at)"
            " VALUES ('budget', 'Budget 2025', 'rate_card', 'EUR', NULL, NULL),"
            "        ('whatif', 'Storage plus ten percent', 'simulation', 'EUR', 'budget', NULL),"
            "        ('old', 'Retired', 'derived', NULL, NULL, now())"
        )


async def get_ok(client: AsyncTestClient[Litestar], path: str, **params: str) -> dict[str, Any]:
    """The JSON body of a GET that must succeed."""
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def invalid_names(client: AsyncTestClient[Litestar], path: str, **params: str) -> list[str]:
    """The parameters a GET that must be a 400 problem names."""
    response = await client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [param["name"] for param in response.json()["invalid_params"]]


@pytest.fixture
def costs_mart(mart_url: str) -> str:
    insert_pricing_views(mart_url)
    insert_cost_lines(mart_url, COST_LINES)
    return mart_url


@pytest.fixture
async def client(mart_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(mart_url, api=OPEN_API)) as client:
        yield client


@pytest.fixture
def backstage() -> Iterator[FakeBackstage]:
    with serve_fake_backstage() as fake:
        fake.ownership = {
            "user:default/pat": ["user:default/pat", PAYMENTS_TEAM],
            "user:default/fiona": ["user:default/fiona", FINANCE],
            "user:default/ada": ["user:default/ada", ADMINS],
        }
        yield fake


@pytest.fixture
async def auth_client(costs_mart: str, backstage: FakeBackstage) -> AsyncIterator[AsyncTestClient[Litestar]]:
    insert_owners(costs_mart)
    async with AsyncTestClient(app=create_app(costs_mart, api=auth_config(backstage.url))) as client:
        yield client


@pytest.fixture
async def showback_client(
    costs_mart: str, backstage: FakeBackstage
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """auth_client with `organisation_totals`: a viewer's totals are the organisation's."""
    insert_owners(costs_mart)
    app = create_app(costs_mart, api=auth_config(backstage.url, organisation_totals=True))
    async with AsyncTestClient(app=app) as client:
        yield client


async def settled(client: AsyncTestClient[Litestar], database_url: str) -> None:
    """Until the app's process has taken in every change committed so far: a notification sent
    now on the data version's channel arrives after theirs (finops_api/data_version.py: a change
    is seen once its notification has reached the process). No wait while the process is not
    listening: it then reads the version per request."""
    watch = data_version_watch(client.app.state)
    if watch is None or not watch.listening:
        return
    before = watch.notifications
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"NOTIFY {CHANNEL}".encode())
    deadline = time.monotonic() + 10
    while watch.listening and watch.notifications <= before:
        assert time.monotonic() < deadline, "the data version's notification never arrived"
        await asyncio.sleep(0.005)
