from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient


async def test_openapi_documents_every_operation(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operations = {
        path: sorted(operation["operationId"] for operation in item.values())
        for path, item in schema["paths"].items()
    }
    assert operations == {
        "/api/v1/health": ["getHealth"],
        "/api/v1/costs": ["listCosts"],
        "/api/v1/costs/compare": ["compareCosts"],
        "/api/v1/costs/variance": ["getCostVariance"],
        "/api/v1/costs/export": ["exportCosts"],
        "/api/v1/costs/preview": ["previewSimulation"],
        "/api/v1/loads": ["listLoads"],
        "/api/v1/loads/{load_id}/rejected-rows": ["listRejectedRows"],
        "/api/v1/allocations/explain": ["explainAllocation"],
        "/api/v1/mapping/coverage": ["getMappingCoverage"],
        "/api/v1/me": ["getMe"],
        "/api/v1/pricing-views": ["listPricingViews"],
        "/api/v1/pricing-views/{code}": ["deletePricingView", "getPricingView"],
        "/api/v1/pricing-views/simulations": ["createSimulation"],
        "/api/v1/domains": ["listDomains"],
        "/api/v1/families": ["listFamilies"],
        "/api/v1/products": ["listProducts"],
        "/api/v1/products/{code}/history": ["getProductHistory"],
        "/api/v1/applications": ["listApplications"],
        "/api/v1/applications/{code}/history": ["getApplicationHistory"],
    }
    costs = schema["paths"]["/api/v1/costs"]["get"]
    parameters = {p["name"]: p for p in costs["parameters"]}
    assert set(parameters) == {
        "view",
        "from",
        "to",
        "group_by",
        "source",
        "application",
        "owner",
        "domain",
        "family",
        "product",
        "currency",
        "owner_as_of",
        "in_currency",
        "sort",
        "limit",
        "offset",
    }
    assert parameters["owner_as_of"]["schema"]["enum"] == ["month", "current"]
    assert parameters["in_currency"]["schema"]["pattern"] == "^[A-Z]{3}$"
    assert parameters["sort"]["schema"]["enum"] == ["keys", "cost_desc"]
    assert parameters["from"]["schema"]["pattern"] == r"^([1-9]\d{3})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$"
    assert "application/problem+json" in costs["responses"]["400"]["content"]
    row = schema["components"]["schemas"]["CostRow"]
    # group keys are optional (present only when grouped by); the figures always are
    assert set(row["required"]) == {"currency", "unit", "quantity", "units", "cost", "priced"}
    assert row["properties"]["units"] == {"type": "array", "items": {"type": "string"}}
    # money travels as exact decimal strings, never JSON numbers
    assert {"type": "string"} in row["properties"]["cost"]["oneOf"]
