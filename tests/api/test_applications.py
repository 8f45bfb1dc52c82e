"""The catalog's applications at a point in their history, built by applying catalog declarations
month after month as the batch does, plus one application auto-registered by a load."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_assets.referentials.catalog import apply_catalog, read_catalog

Client = AsyncTestClient[Litestar]

PAYMENTS = (
    "  - {code: payments, name: Payments, owner: group:default/OWNER, cost_center: CC-1,"
    " entity_ref: component:default/payments, lifecycle: production}\n"
)
BILLING = (
    "  - {code: billing, name: Billing, owner: group:default/billing-team, cost_center: CC-2,"
    " entity_ref: component:default/billing, lifecycle: experimental}\n"
)
LEGACY = "  - {code: legacy, name: Legacy, owner: group:default/team-a}\n"

# month applied -> applications declared
HISTORY: list[tuple[date, str]] = [
    (date(2025, 1, 1), PAYMENTS.replace("OWNER", "team-a") + BILLING + LEGACY),
    (date(2025, 3, 1), PAYMENTS.replace("OWNER", "team-b") + BILLING),  # re-owned, legacy removed
]


@pytest.fixture
def applications_mart(mart_url: str, tmp_path: Path) -> str:
    for month, applications in HISTORY:
        (tmp_path / "catalog.yaml").write_text(f"applications:\n{applications}")
        apply_catalog(mart_url, read_catalog(tmp_path), month)
    with psycopg.connect(mart_url) as conn:  # registered by a load, as register_referentials.sql does
        conn.execute(
            "INSERT INTO finops.dim_application (application_code, name, is_auto)"
            " VALUES ('search', 'search', true)"
        )
    return mart_url


def application(code: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, dict[str, Any]] = {
        "billing": {"name": "Billing", "owner": "group:default/billing-team", "cost_center": "CC-2",
                    "entity_ref": "component:default/billing", "lifecycle": "experimental"},
        "payments": {"name": "Payments", "owner": "group:default/team-b", "cost_center": "CC-1",
                     "entity_ref": "component:default/payments", "lifecycle": "production"},
        "legacy": {"name": "Legacy", "owner": "group:default/team-a", "cost_center": None,
                   "entity_ref": None, "lifecycle": None},
        "search": {"name": "search", "owner": None, "cost_center": None, "entity_ref": None,
                   "lifecycle": None},
    }  # fmt: skip
    row = {"code": code, **base[code], "valid_from": None, "valid_to": None}
    return {**row, "deleted": False, "auto": code == "search", **changes}


PAYMENTS_2025_01 = application("payments", owner="group:default/team-a", valid_to="2025-03")
PAYMENTS_NOW = application("payments", valid_from="2025-03")
LEGACY_DELETED = application("legacy", valid_to="2025-03", deleted=True)


async def get_json(client: Client, url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.usefixtures("applications_mart")
@pytest.mark.parametrize(
    ("query", "as_of", "rows"),
    [
        ("", None, [application("billing"), PAYMENTS_NOW, application("search")]),
        (
            "?include_deleted=true",
            None,
            [application("billing"), LEGACY_DELETED, PAYMENTS_NOW, application("search")],
        ),
        # before the re-owning: the old owner
        (
            "?as_of=2025-02",
            "2025-02",
            [
                application("billing"),
                application("legacy", valid_to="2025-03"),
                PAYMENTS_2025_01,
                application("search"),
            ],
        ),
        ("?as_of=2025-03", "2025-03", [application("billing"), PAYMENTS_NOW, application("search")]),
        (
            "?as_of=2025-03&include_deleted=true",
            "2025-03",
            [application("billing"), LEGACY_DELETED, PAYMENTS_NOW, application("search")],
        ),
    ],
)
async def test_applications_at_a_point(
    client: Client, query: str, as_of: str | None, rows: list[Any]
) -> None:
    assert await get_json(client, f"/api/v1/applications{query}") == {"as_of": as_of, "rows": rows}


@pytest.mark.usefixtures("applications_mart")
@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("?owner=group:default/team-b", ["payments"]),
        ("?owner=group:default/team-a", []),
        ("?owner=group:default/team-a&as_of=2025-02", ["legacy", "payments"]),  # the owner then
        ("?owner=group:default/team-a&include_deleted=true", ["legacy"]),
        ("?owner=group:default/team-b,group:default/billing-team", ["billing", "payments"]),
        ("?owner=Group:Default/Team-B", ["payments"]),  # refs compare lower-cased, as in Backstage
        ("?owner=nope", []),
    ],
)
async def test_application_owner_filter(client: Client, query: str, codes: list[str]) -> None:
    body = await get_json(client, f"/api/v1/applications{query}")
    assert [row["code"] for row in body["rows"]] == codes


async def test_auto_registered_application(client: Client, applications_mart: str) -> None:
    body = await get_json(client, "/api/v1/applications?owner=")
    assert [(row["code"], row["auto"]) for row in body["rows"]] == [
        ("billing", False),
        ("payments", False),
        ("search", True),
    ]


async def test_empty_applications(client: Client) -> None:
    assert await get_json(client, "/api/v1/applications?include_deleted=true") == {"as_of": None, "rows": []}


async def test_application_history(client: Client, applications_mart: str) -> None:
    version = {
        "name": "Payments",
        "cost_center": "CC-1",
        "entity_ref": "component:default/payments",
        "lifecycle": "production",
        "deleted": False,
    }
    assert await get_json(client, "/api/v1/applications/payments/history") == {
        "code": "payments",
        "versions": [
            {**version, "owner": "group:default/team-a", "valid_from": None, "valid_to": "2025-03"},
            {**version, "owner": "group:default/team-b", "valid_from": "2025-03", "valid_to": None},
        ],
    }
    legacy = await get_json(client, "/api/v1/applications/legacy/history")
    assert [(v["valid_from"], v["valid_to"], v["deleted"]) for v in legacy["versions"]] == [
        (None, "2025-03", True)
    ]
    search = await get_json(client, "/api/v1/applications/search/history")
    assert search == {
        "code": "search",
        "versions": [
            {
                "name": "search",
                "owner": None,
                "cost_center": None,
                "entity_ref": None,
                "lifecycle": None,
                "valid_from": None,
                "valid_to": None,
                "deleted": False,
            }
        ],
    }


async def test_unknown_application_history_is_404(client: Client, applications_mart: str) -> None:
    response = await client.get("/api/v1/applications/nope/history")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["detail"] == "unknown application 'nope'"


@pytest.mark.parametrize(
    ("query", "name"),
    [("as_of=2025-13", "as_of"), ("as_of=2025-3", "as_of"), ("include_deleted=maybe", "include_deleted")],
)
async def test_malformed_parameters_are_400(client: Client, query: str, name: str) -> None:
    response = await client.get(f"/api/v1/applications?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [param["name"] for param in response.json()["invalid_params"]] == [name]


async def test_openapi_operations(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    applications = schema["paths"]["/api/v1/applications"]["get"]
    assert applications["operationId"] == "listApplications"
    parameters = {p["name"]: p for p in applications["parameters"]}
    assert set(parameters) == {"as_of", "include_deleted", "owner", "limit", "offset"}
    assert parameters["as_of"]["schema"]["pattern"] == r"^([1-9]\d{3})-(0[1-9]|1[0-2])$"
    history = schema["paths"]["/api/v1/applications/{code}/history"]["get"]
    assert history["operationId"] == "getApplicationHistory"
    assert "application/problem+json" in history["responses"]["404"]["content"]
