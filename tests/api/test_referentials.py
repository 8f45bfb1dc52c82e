"""The catalog referentials at a point in their history, built by applying catalog declarations
month after month as the batch does."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_assets.referentials.catalog import apply_catalog, read_catalog

Client = AsyncTestClient[Litestar]

DOMAINS = (
    "domains:\n"
    "  - {code: public-cloud, name: Public cloud, kind: direct}\n"
    "  - {code: shared-tooling, name: Shared tooling, kind: indirect}\n"
)
FAMILIES = (
    "families:\n"
    "  - {code: compute, name: Compute, domain: public-cloud}\n"
    "  - {code: observability, name: Observability, domain: OBSERVABILITY_DOMAIN}\n"
)
LOGS = "  - {code: logs, name: LOGS_NAME, family: observability, unit: GB}\n"
VM = "  - {code: vm, name: VMs, family: compute, unit: Hours, description: Virtual machines, active: false}\n"
DISK = "  - {code: disk, name: Disk, family: compute, unit: GB-Months}\n"

# month applied -> (observability's domain, products declared)
HISTORY: list[tuple[date, str, str]] = [
    (date(2025, 1, 1), "shared-tooling", LOGS.replace("LOGS_NAME", "Log ingestion") + VM + DISK),
    (date(2025, 3, 1), "shared-tooling", LOGS.replace("LOGS_NAME", "Logs") + VM + DISK),  # renamed
    (date(2025, 5, 1), "shared-tooling", VM + DISK),  # logs removed
    (date(2025, 7, 1), "public-cloud", LOGS.replace("LOGS_NAME", "Logs") + VM),  # logs back, disk removed
]


@pytest.fixture
def catalog_mart(mart_url: str, tmp_path: Path) -> str:
    for month, observability_domain, products in HISTORY:
        families = FAMILIES.replace("OBSERVABILITY_DOMAIN", observability_domain)
        (tmp_path / "catalog.yaml").write_text(f"{DOMAINS}{families}products:\n{products}")
        apply_catalog(mart_url, read_catalog(tmp_path), month)
    return mart_url


def product(code: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, dict[str, Any]] = {
        "logs": {"name": "Logs", "family": "observability", "domain": "public-cloud", "unit": "GB",
                 "description": None, "active": True},
        "vm": {"name": "VMs", "family": "compute", "domain": "public-cloud", "unit": "Hours",
               "description": "Virtual machines", "active": False},
        "disk": {"name": "Disk", "family": "compute", "domain": "public-cloud", "unit": "GB-Months",
                 "description": None, "active": True},
    }  # fmt: skip
    row = {"code": code, **base[code], "monetary": False, "valid_from": None, "valid_to": None}
    return {**row, "deleted": False, "auto": False, **changes}


LOGS_2025_01 = product("logs", name="Log ingestion", domain="shared-tooling", valid_to="2025-03")
LOGS_2025_03 = product("logs", domain="shared-tooling", valid_from="2025-03", valid_to="2025-05")
LOGS_NOW = product("logs", valid_from="2025-07")
DISK_DELETED = product("disk", valid_to="2025-07", deleted=True)


async def get_json(client: Client, url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.usefixtures("catalog_mart")
@pytest.mark.parametrize(
    ("query", "as_of", "rows"),
    [
        ("", None, [LOGS_NOW, product("vm")]),
        ("?include_deleted=true", None, [DISK_DELETED, LOGS_NOW, product("vm")]),
        ("?include_deleted=false", None, [LOGS_NOW, product("vm")]),
        # before the rename: the old name, and the family's domain of the time
        ("?as_of=2025-02", "2025-02", [product("disk", valid_to="2025-07"), LOGS_2025_01, product("vm")]),
        # after it: the new name, though that version was ended by a deletion later
        ("?as_of=2025-04", "2025-04", [product("disk", valid_to="2025-07"), LOGS_2025_03, product("vm")]),
        ("?as_of=2025-06", "2025-06", [product("disk", valid_to="2025-07"), product("vm")]),
        (
            "?as_of=2025-06&include_deleted=true",
            "2025-06",
            [product("disk", valid_to="2025-07"), {**LOGS_2025_03, "deleted": True}, product("vm")],
        ),
        ("?as_of=2025-07&include_deleted=true", "2025-07", [DISK_DELETED, LOGS_NOW, product("vm")]),
        # before the first declaration: the since-the-beginning versions
        ("?as_of=1999-12", "1999-12", [product("disk", valid_to="2025-07"), LOGS_2025_01, product("vm")]),
    ],
)
async def test_products_at_a_point(client: Client, query: str, as_of: str | None, rows: list[Any]) -> None:
    assert await get_json(client, f"/api/v1/products{query}") == {"as_of": as_of, "rows": rows}


@pytest.mark.usefixtures("catalog_mart")
@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("?family=compute", ["vm"]),
        ("?family=compute,observability&domain=public-cloud", ["logs", "vm"]),
        ("?domain=shared-tooling", []),
        ("?domain=shared-tooling&as_of=2025-04", ["logs"]),  # the family's domain then
        ("?family=compute&include_deleted=true", ["disk", "vm"]),
        ("?family=nope", []),
    ],
)
async def test_product_filters(client: Client, query: str, codes: list[str]) -> None:
    body = await get_json(client, f"/api/v1/products{query}")
    assert [row["code"] for row in body["rows"]] == codes


async def test_domains_and_families(client: Client, catalog_mart: str) -> None:
    domain = {"valid_from": None, "valid_to": None, "deleted": False, "auto": False}
    assert await get_json(client, "/api/v1/domains?include_deleted=true") == {
        "as_of": None,
        "rows": [
            {"code": "public-cloud", "name": "Public cloud", "kind": "direct", **domain},
            {"code": "shared-tooling", "name": "Shared tooling", "kind": "indirect", **domain},
        ],
    }
    compute = {"code": "compute", "name": "Compute", "domain": "public-cloud", **domain}
    observability = {"code": "observability", "name": "Observability", **domain}
    assert await get_json(client, "/api/v1/families") == {
        "as_of": None,
        "rows": [compute, {**observability, "domain": "public-cloud", "valid_from": "2025-07"}],
    }
    assert await get_json(client, "/api/v1/families?as_of=2025-06") == {
        "as_of": "2025-06",
        "rows": [compute, {**observability, "domain": "shared-tooling", "valid_to": "2025-07"}],
    }


async def test_empty_catalog(client: Client) -> None:
    for kind in ("domains", "families", "products"):
        assert await get_json(client, f"/api/v1/{kind}?include_deleted=true") == {"as_of": None, "rows": []}


async def test_product_history(client: Client, catalog_mart: str) -> None:
    version = {"family": "observability", "unit": "GB", "description": None, "active": True}
    assert await get_json(client, "/api/v1/products/logs/history") == {
        "code": "logs",
        "versions": [
            {"name": "Log ingestion", **version, "valid_from": None, "valid_to": "2025-03", "deleted": False},
            {"name": "Logs", **version, "valid_from": "2025-03", "valid_to": "2025-05", "deleted": True},
            {"name": "Logs", **version, "valid_from": "2025-07", "valid_to": None, "deleted": False},
        ],
    }
    vm = await get_json(client, "/api/v1/products/vm/history")
    assert [(v["active"], v["valid_from"], v["valid_to"]) for v in vm["versions"]] == [(False, None, None)]


async def test_unknown_product_history_is_404(client: Client, catalog_mart: str) -> None:
    response = await client.get("/api/v1/products/nope/history")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["detail"] == "unknown product 'nope'"


@pytest.mark.parametrize("kind", ["domains", "families", "products"])
@pytest.mark.parametrize(
    ("query", "name"),
    [("as_of=2025-13", "as_of"), ("as_of=2025-3", "as_of"), ("include_deleted=maybe", "include_deleted")],
)
async def test_malformed_parameters_are_400(client: Client, kind: str, query: str, name: str) -> None:
    response = await client.get(f"/api/v1/{kind}?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [param["name"] for param in response.json()["invalid_params"]] == [name]


async def test_openapi_operations(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operations = {
        path: operation["operationId"]
        for path, item in schema["paths"].items()
        for operation in item.values()
    }
    assert {
        "/api/v1/domains": "listDomains",
        "/api/v1/families": "listFamilies",
        "/api/v1/products": "listProducts",
        "/api/v1/products/{code}/history": "getProductHistory",
    }.items() <= operations.items()
    products = schema["paths"]["/api/v1/products"]["get"]
    parameters = {p["name"]: p for p in products["parameters"]}
    assert set(parameters) == {"as_of", "include_deleted", "family", "domain", "limit", "offset"}
    assert parameters["as_of"]["schema"]["pattern"] == r"^([1-9]\d{3})-(0[1-9]|1[0-2])$"
    history = schema["paths"]["/api/v1/products/{code}/history"]["get"]
    assert "application/problem+json" in history["responses"]["404"]["content"]
