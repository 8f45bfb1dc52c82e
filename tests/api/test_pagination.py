"""Every list pages: limit (validated, at most 10,000) and offset, and a link to the next page."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.conftest import get_ok, invalid_names

Client = AsyncTestClient[Litestar]

pytestmark = pytest.mark.usefixtures("costs_mart")

ALL_ROWS = [  # tests/api/conftest.py COST_LINES by month and application
    ("2025-01", "billing", "EUR"),
    ("2025-01", "payments", "EUR"),
    ("2025-02", "billing", "EUR"),
    ("2025-02", "billing", "USD"),
    ("2025-02", "payments", "EUR"),
    ("2025-03", "payments", "EUR"),
]


async def test_costs_page_by_page(client: Client) -> None:
    first = await get_ok(client, "/api/v1/costs", group_by="month,application", limit="4")
    assert [(r["month"], r["application"], r["currency"]) for r in first["rows"]] == ALL_ROWS[:4]
    assert first["next"] == "/api/v1/costs?group_by=month,application&limit=4&offset=4"
    response = await client.get(first["next"])
    second = response.json()
    assert [(r["month"], r["application"], r["currency"]) for r in second["rows"]] == ALL_ROWS[4:]
    assert "next" not in second
    whole = await get_ok(client, "/api/v1/costs", group_by="month,application")
    assert len(whole["rows"]) == 6 and "next" not in whole
    # exactly one page: no next link
    exact = await get_ok(client, "/api/v1/costs", group_by="month,application", limit="6")
    assert "next" not in exact


async def test_compare_and_variance_page(client: Client) -> None:
    compared = await get_ok(client, "/api/v1/costs/compare", group_by="month", against="budget", limit="1")
    assert [row["month"] for row in compared["rows"]] == ["2025-01"]
    assert compared["next"] == "/api/v1/costs/compare?against=budget&group_by=month&limit=1&offset=1"
    variance = await get_ok(
        client, "/api/v1/costs/variance", against_period="previous_month", limit="1", **{"from": "2025-02"}
    )
    assert len(variance["rows"]) == 1 and "offset=1" in variance["next"]


async def test_referential_lists_page(client: Client) -> None:
    views = await get_ok(client, "/api/v1/pricing-views", limit="1", offset="2")
    assert [row["code"] for row in views["rows"]] == ["budget"]  # actual, actual-rate, budget, whatif
    assert views["next"] == "/api/v1/pricing-views?limit=1&offset=3"
    last = await get_ok(client, "/api/v1/pricing-views", limit="1", offset="3")
    assert [row["code"] for row in last["rows"]] == ["whatif"] and "next" not in last
    beyond = await get_ok(client, "/api/v1/pricing-views", offset="50")
    assert beyond["rows"] == []


@pytest.mark.parametrize("limit", ["0", "-1", "10001", "ten"])
async def test_a_bad_limit_is_refused_not_ignored(client: Client, limit: str) -> None:
    assert await invalid_names(client, "/api/v1/costs", limit=limit) == ["limit"]
    assert await invalid_names(client, "/api/v1/domains", limit=limit) == ["limit"]


async def test_a_bad_offset_is_refused(client: Client) -> None:
    assert await invalid_names(client, "/api/v1/costs", offset="-5") == ["offset"]
    # PostgreSQL's OFFSET is a bigint: the fuzzer's offset answered 500 (bigint out of range)
    huge = "828197446571269244289983117871022080"
    assert await invalid_names(
        client, "/api/v1/costs/variance", against_period="previous_month", offset=huge
    ) == ["offset"]
    assert await invalid_names(client, "/api/v1/costs", offset=str(2**63 - 1)) == ["offset"]
