"""GET /api/v1/mapping/coverage over hand-picked read-model rows."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.conftest import CostLine, insert_cost_lines

Client = AsyncTestClient[Litestar]

LINES: list[CostLine] = [
    ("2025-04", "actual", "aws", "payments", "compute", "vm", "vm-small", "EUR", "Hours", "300", "30.00"),
    ("2025-04", "actual", "aws", "unallocated", "compute", "vm", "vm-small", "EUR", "Hours", "90", "9.50"),
    ("2025-04", "actual", "aws", "unallocated", "network", "egress", "egress-gb", "EUR", "GB", "10", "0.50"),
    ("2025-04", "actual", "aws", "unallocated", "storage", "disk", "disk-ssd", "USD", "GB-Months", "5", "5"),
    # credits outweigh usage: the total is negative, so no share
    (
        "2025-04",
        "actual",
        "gcp",
        "billing",
        "storage",
        "disk",
        "gcs-standard",
        "EUR",
        "GB-Months",
        "1",
        "2.00",
    ),
    (
        "2025-04",
        "actual",
        "gcp",
        "unallocated",
        "monetary",
        "credit",
        "gcp:credit:eur",
        "EUR",
        "EUR",
        "-3",
        "-3",
    ),
    # other views and months are not this coverage
    ("2025-04", "budget", "aws", "unallocated", "compute", "vm", "vm-small", "EUR", "Hours", "90", "99"),
    ("2025-05", "actual", "aws", "unallocated", "compute", "vm", "vm-small", "EUR", "Hours", "90", "77"),
]


async def test_coverage_per_source_and_currency(client: Client, mart_url: str) -> None:
    insert_cost_lines(mart_url, LINES)
    response = await client.get("/api/v1/mapping/coverage", params={"month": "2025-04"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "month": "2025-04",
        "rows": [
            {"source": "aws", "currency": "EUR", "mapped_cost": "30.00", "unallocated_cost": "10.00",
             "total_cost": "40.00", "unpriced_lines": 0, "mapped_share": "0.75"},
            {"source": "aws", "currency": "USD", "mapped_cost": "0", "unallocated_cost": "5",
             "total_cost": "5", "unpriced_lines": 0, "mapped_share": "0"},
            {"source": "gcp", "currency": "EUR", "mapped_cost": "2.00", "unallocated_cost": "-3",
             "total_cost": "-1.00", "unpriced_lines": 0, "mapped_share": None},
        ],
    }  # fmt: skip


async def test_unpriced_lines_are_counted_not_a_server_error(client: Client, mart_url: str) -> None:
    """An actual line with no price (cost NULL) used to make the total NULL and the answer a 500."""
    month = ("2025-02", "actual")
    insert_cost_lines(
        mart_url,
        [
            (*month, "onprem", "payments", "compute", "vm", "vm-onprem", "EUR", "Hours", "40", None),
            (*month, "aws", "payments", "compute", "vm", "vm-small", "EUR", "Hours", "100", "11.00"),
            (*month, "aws", "unallocated", "compute", "vm", "vm-big", "EUR", "Hours", "7", None),
        ],
    )
    response = await client.get("/api/v1/mapping/coverage", params={"month": "2025-02"})
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [
        {"source": "aws", "currency": "EUR", "mapped_cost": "11.00", "unallocated_cost": "0",
         "total_cost": "11.00", "unpriced_lines": 1, "mapped_share": "1"},
        {"source": "onprem", "currency": "EUR", "mapped_cost": "0", "unallocated_cost": "0",
         "total_cost": "0", "unpriced_lines": 1, "mapped_share": None},
    ]  # fmt: skip


async def test_a_month_without_costs_has_no_rows(client: Client) -> None:
    response = await client.get("/api/v1/mapping/coverage", params={"month": "2030-01"})
    assert response.status_code == 200
    assert response.json() == {"month": "2030-01", "rows": []}


async def test_the_month_is_required_and_checked(client: Client) -> None:
    for params in ({}, {"month": "2025-13"}, {"month": "April"}):
        response = await client.get("/api/v1/mapping/coverage", params=params)
        assert response.status_code == 400, params
        assert response.headers["content-type"] == "application/problem+json"
        assert [p["name"] for p in response.json()["invalid_params"]] == ["month"]
    missing = await client.get("/api/v1/mapping/coverage")
    assert missing.json()["invalid_params"] == [
        {"name": "month", "reason": "required query parameter is missing"}
    ]
