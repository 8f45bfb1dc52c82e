"""Quarters and years: as from/to (a period's first and last months) and as group_by keys."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_core.months import period_months
from tests.api.conftest import insert_cost_lines
from tests.api.test_costs import costs, row

Client = AsyncTestClient[Litestar]


@pytest.fixture
def quarters_mart(costs_mart: str) -> str:
    """COST_LINES (January to March 2025) and billing in April 2025 and January 2026."""
    insert_cost_lines(
        costs_mart,
        [
            (
                "2025-04",
                "actual",
                "aws",
                "billing",
                "storage",
                "disk",
                "disk-ssd",
                "EUR",
                "GB-Months",
                "60",
                "5.10",
            ),
            (
                "2026-01",
                "actual",
                "aws",
                "billing",
                "storage",
                "disk",
                "disk-ssd",
                "EUR",
                "GB-Months",
                "70",
                "5.95",
            ),
        ],
    )
    return costs_mart


def test_period_months() -> None:
    assert [m.isoformat() for m in period_months("2025-03")] == ["2025-03-01", "2025-03-01"]
    assert [m.isoformat() for m in period_months("2025-Q1")] == ["2025-01-01", "2025-03-01"]
    assert [m.isoformat() for m in period_months("2025-Q4")] == ["2025-10-01", "2025-12-01"]
    assert [m.isoformat() for m in period_months("2025")] == ["2025-01-01", "2025-12-01"]
    with pytest.raises(ValueError, match="YYYY-Qn"):
        period_months("2025-Q0")


@pytest.mark.usefixtures("quarters_mart")
async def test_group_by_quarter_and_year(client: Client) -> None:
    body = await costs(client, group_by="year,quarter", application="billing", currency="EUR")
    assert (body["from"], body["to"]) == ("2025-01", "2026-01")
    assert body["group_by"] == ["year", "quarter", "currency"]
    assert body["rows"] == [
        # Q1: 2.00 + 4.25 (January) + 4.25 (February) = 10.50, Hours and GB-Months mixed
        row(
            year="2025",
            quarter="2025-Q1",
            currency="EUR",
            unit=None,
            quantity=None,
            units=["GB-Months", "Hours"],
            cost="10.50",
        ),
        row(year="2025", quarter="2025-Q2", currency="EUR", unit="GB-Months", quantity="60", cost="5.10"),
        row(year="2026", quarter="2026-Q1", currency="EUR", unit="GB-Months", quantity="70", cost="5.95"),
    ]


@pytest.mark.usefixtures("quarters_mart")
async def test_group_by_year(client: Client) -> None:
    body = await costs(client, group_by="year", application="billing", currency="EUR")
    # 2025: 10.50 + 5.10 = 15.60
    assert [(r["year"], r["cost"]) for r in body["rows"]] == [("2025", "15.60"), ("2026", "5.95")]


@pytest.mark.parametrize(
    ("params", "expected_range", "expected_costs"),
    [
        # a quarter runs from its first month to its last
        ({"from": "2025-Q2", "to": "2025-Q2"}, ("2025-04", "2025-06"), ["5.10"]),
        # a year from January to December
        ({"from": "2026", "to": "2026"}, ("2026-01", "2026-12"), ["5.95"]),
        ({"from": "2025"}, ("2025-01", "2026-01"), ["15.60", "5.95"]),
        # forms mix: from a month to a quarter's end
        ({"from": "2025-02", "to": "2025-Q2"}, ("2025-02", "2025-06"), ["9.35"]),
    ],
)
@pytest.mark.usefixtures("quarters_mart")
async def test_periods_as_from_and_to(
    client: Client, params: dict[str, str], expected_range: tuple[str, str], expected_costs: list[str]
) -> None:
    body: dict[str, Any] = await costs(
        client, group_by="year", application="billing", currency="EUR", **params
    )
    assert (body["from"], body["to"]) == expected_range
    # 2025-02..2025-06: 4.25 + 5.10 = 9.35
    assert [r["cost"] for r in body["rows"]] == expected_costs


@pytest.mark.usefixtures("quarters_mart")
async def test_a_quarter_after_to_is_named(client: Client) -> None:
    response = await client.get("/api/v1/costs", params={"from": "2025-Q2", "to": "2025-03"})
    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalid_params"]] == ["from", "to"]
