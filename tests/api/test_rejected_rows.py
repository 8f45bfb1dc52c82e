"""The rows a real load rejected, through GET /loads/{load_id}/rejected-rows: for admins only,
exact, paginated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from finops_api.app import create_app
from tests.api.auth_fixtures import CI_TOKEN, VIEWER_TOKEN, auth_config, bearer
from tests.api.fake_backstage import FakeBackstage
from tests.pipeline import focus_source, query, run_month
from tests.test_month_loads import MONTHS, line, write_csv

Client = AsyncTestClient[Litestar]
MONTH = MONTHS[0]


def raw(cost: str | None, **extra: str | None) -> dict[str, str | None]:
    """A row of the file as rejected_row keeps it (tests/test_month_loads.py line())."""
    return {
        "BillingPeriodStart": "2025-01-01T00:00:00Z",
        "BillingCurrency": "EUR",
        "ChargeCategory": "Usage",
        "ProviderName": "AWS",
        "ServiceName": "Amazon Elastic Compute Cloud",
        "ServiceCategory": "Compute",
        "PricingQuantity": "10",
        "PricingUnit": "Hours",
        "EffectiveCost": cost,
        "Tags": '{"application": "payments"}',
    } | extra


@pytest.fixture
def bills(tmp_path: Path) -> Path:
    rows = [
        line(MONTH, "1.50"),  # 1: good
        line(MONTH, "abc"),  # 2: not a number
        line(MONTH, "2.00", BillingCurrency=""),  # 3: no currency
        line(MONTH, "0.75"),  # 4: good
        line(MONTH, "3.00", PricingQuantity="ten"),  # 5: malformed quantity
    ]
    return write_csv(tmp_path / "bills" / "bad.csv", rows)


@pytest.fixture
def loaded_mart(mart_url: str, bills: Path, tmp_path: Path) -> str:
    run_month(mart_url, tmp_path / "landing", MONTH, focus_source("cloud", bills.parent))
    return mart_url


@pytest.fixture
async def admin_client(loaded_mart: str, backstage: FakeBackstage) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(loaded_mart, api=auth_config(backstage.url))) as client:
        yield client


def ada(backstage: FakeBackstage) -> dict[str, str]:
    return bearer(backstage.token("user:default/ada"))


async def rejected(client: Client, backstage: FakeBackstage, load_id: int, **params: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/loads/{load_id}/rejected-rows", params=params, headers=ada(backstage)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def the_load(client: Client, backstage: FakeBackstage) -> int:
    loads = await client.get("/api/v1/loads", params={"month": "2025-01"}, headers=ada(backstage))
    assert loads.status_code == 200, loads.text
    (load,) = loads.json()["rows"]
    assert (load["rows_read"], load["rows_loaded"], load["rows_rejected"]) == (5, 2, 3)
    load_id: int = load["load_id"]
    return load_id


async def test_an_admin_reads_the_rows_a_load_rejected(
    admin_client: Client, backstage: FakeBackstage, bills: Path
) -> None:
    load_id = await the_load(admin_client, backstage)
    body = await rejected(admin_client, backstage, load_id)
    (file,) = {row["file"] for row in body["rows"]}
    assert file.endswith("bad.csv")
    assert body == {
        "rows": [
            {
                "file": file,
                "line_number": 2,
                "column_name": "EffectiveCost",
                "reason": "EffectiveCost: not a number: 'abc'",
                "raw_row": raw("abc"),
            },
            {
                "file": file,
                "line_number": 3,
                "column_name": "BillingCurrency",
                "reason": "BillingCurrency: missing",
                "raw_row": raw("2.00", BillingCurrency=None),
            },
            {
                "file": file,
                "line_number": 5,
                "column_name": "PricingQuantity",
                "reason": "PricingQuantity: not a number: 'ten'",
                "raw_row": raw("3.00", PricingQuantity="ten"),
            },
        ]
    }


async def test_rejected_rows_are_paginated(admin_client: Client, backstage: FakeBackstage) -> None:
    load_id = await the_load(admin_client, backstage)
    first = await rejected(admin_client, backstage, load_id, limit="2")
    assert [row["line_number"] for row in first["rows"]] == [2, 3]
    assert first["next"] == f"/api/v1/loads/{load_id}/rejected-rows?limit=2&offset=2"
    second = await admin_client.get(first["next"], headers=ada(backstage))
    assert [row["line_number"] for row in second.json()["rows"]] == [5]
    assert "next" not in second.json()
    past = await rejected(admin_client, backstage, load_id, offset="3")
    assert past == {"rows": []}
    too_many = await admin_client.get(
        f"/api/v1/loads/{load_id}/rejected-rows", params={"limit": "10001"}, headers=ada(backstage)
    )
    assert too_many.status_code == 400
    assert [param["name"] for param in too_many.json()["invalid_params"]] == ["limit"]


async def test_rejected_rows_are_for_admins(admin_client: Client, backstage: FakeBackstage) -> None:
    load_id = await the_load(admin_client, backstage)
    path = f"/api/v1/loads/{load_id}/rejected-rows"
    for caller, role in [
        (bearer(backstage.token("user:default/fiona")), "finance"),
        (bearer(backstage.token("user:default/pat")), "viewer"),
        (bearer(CI_TOKEN), "finance"),
        (bearer(VIEWER_TOKEN), "viewer"),
    ]:
        denied = await admin_client.get(path, headers=caller)
        assert denied.status_code == 403
        assert denied.headers["content-type"] == "application/problem+json"
        assert denied.json()["detail"].endswith(f"has the {role} role; this needs the admin role")
    assert (await admin_client.get(path)).status_code == 401


def test_an_unknown_load_is_a_404_and_a_reload_replaces_the_rows(
    loaded_mart: str, backstage: FakeBackstage, bills: Path, tmp_path: Path
) -> None:
    # synchronous: the second load runs in the test's own thread, as Dagster wants it
    with TestClient(app=create_app(loaded_mart, api=auth_config(backstage.url))) as client:

        def rows(load_id: int) -> Any:
            response = client.get(f"/api/v1/loads/{load_id}/rejected-rows", headers=ada(backstage))
            return response.status_code, response.json()

        missing = client.get("/api/v1/loads/999999/rejected-rows", headers=ada(backstage))
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.json()["detail"] == "unknown load 999999"
        # past a bigint no load can be: refused naming the parameter, as a bad offset is
        huge = client.get(f"/api/v1/loads/{2**63}/rejected-rows", headers=ada(backstage))
        assert (huge.status_code, huge.headers["content-type"]) == (400, "application/problem+json")
        assert "load_id" in huge.text
        ((first,),) = query(loaded_mart, "SELECT load_id FROM finops.load_audit")
        assert [row["line_number"] for row in rows(first)[1]["rows"]] == [2, 3, 5]
        # the file fixed and loaded again: the new load rejects nothing, the first keeps no rows
        write_csv(bills, [line(MONTH, "1.50"), line(MONTH, "0.75")])
        run_month(loaded_mart, tmp_path / "landing", MONTH, focus_source("cloud", bills.parent))
        ((latest,),) = query(loaded_mart, "SELECT max(load_id) FROM finops.load_audit")
        assert latest != first
        assert rows(latest) == (200, {"rows": []})
        assert rows(first) == (200, {"rows": []})
