from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient


@pytest.mark.usefixtures("costs_mart")
async def test_pricing_views_leave_out_deleted_ones(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/v1/pricing-views")
    assert response.status_code == 200
    assert response.json() == {
        "rows": [
            {
                "code": "actual",
                "name": "Actual",
                "kind": "source",
                "currency": None,
                "base_view": None,
                "description": "Each line valued at the cost the provider reported",
            },
            {
                "code": "actual-rate",
                "name": "Actual rate",
                "kind": "derived",
                "currency": None,
                "base_view": None,
                "description": "Each product's actual cost of the month divided by its quantity, "
                "applied to every application",
            },
            {
                "code": "budget",
                "name": "Budget 2025",
                "kind": "rate_card",
                "currency": "EUR",
                "base_view": None,
                "description": None,
            },
            {
                "code": "whatif",
                "name": "Storage plus ten percent",
                "kind": "simulation",
                "currency": "EUR",
                "base_view": "budget",
                "description": None,
            },
        ]
    }
