"""GET /api/v1/costs/compare over hand-picked read-model rows (tests/api/conftest.py COST_LINES):
two pricing views over the same months, or one view over two ranges."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.conftest import get_ok, insert_cost_lines, invalid_names

Client = AsyncTestClient[Litestar]

pytestmark = pytest.mark.usefixtures("costs_mart")


async def compare(client: Client, **params: str) -> dict[str, Any]:
    return await get_ok(client, "/api/v1/costs/compare", **params)


def row(
    units: list[str] | None = None, against_units: list[str] | None = None, **fields: str | bool | None
) -> dict[str, Any]:
    """A compare row: every figure null unless given; each side's units by default its one unit
    given (none when the side has no unit: it is not there)."""
    figures = (
        "unit",
        "quantity",
        "against_unit",
        "against_quantity",
        "cost",
        "against_cost",
        "delta",
        "ratio",
    )
    flags = ("priced", "against_priced")

    def side(given: list[str] | None, unit: Any) -> list[str]:
        return given if given is not None else [unit] if unit else []

    return {
        **dict.fromkeys(figures),
        **dict.fromkeys(flags),
        "units": side(units, fields.get("unit")),
        "against_units": side(against_units, fields.get("against_unit")),
        **fields,
    }


async def test_two_views_over_the_same_months(client: Client) -> None:
    body = await compare(
        client,
        view="actual",
        against="budget",
        group_by="product",
        application="payments",
        **{"from": "2025-01"},
    )
    assert (body["view"], body["against"], body["against_period"]) == ("actual", "budget", None)
    assert (body["from"], body["to"], body["against_from"], body["against_to"]) == (
        "2025-01",
        "2025-03",
        "2025-01",
        "2025-03",
    )
    assert body["group_by"] == ["product", "currency"]
    assert body["rows"] == [
        # egress-gb (March) and vm-large (January) have no budget: the budget side is null
        row(product="egress-gb", currency="EUR", unit="GB", quantity="1000", cost="0.01", priced=True),
        row(product="vm-large", currency="EUR", unit="Hours", quantity="3.5", cost="0.05", priced=True),
        # vm-onprem is unpriced in actual: no cost, priced false
        row(product="vm-onprem", currency="EUR", unit="Hours", quantity="40", priced=False),
        # vm-small: actual 10.10 + 11.00 + 9.09 = 30.19 over 290 Hours; budget 12.00 over January's 100
        # delta 30.19 - 12.00 = 18.19; ratio 30.19 / 12.00 = 2.515833...
        row(
            product="vm-small",
            currency="EUR",
            unit="Hours",
            quantity="290",
            against_unit="Hours",
            against_quantity="100",
            cost="30.19",
            against_cost="12.00",
            delta="18.19",
            ratio="2.515833",
            priced=True,
            against_priced=True,
        ),
    ]


async def test_same_consumption_under_two_views(client: Client) -> None:
    body = await compare(
        client, against="budget", group_by="month,product", product="vm-small", application="payments"
    )
    january = body["rows"][0]
    # 10.10 - 12.00 = -1.90; 10.10 / 12.00 = 0.841666... -> 0.841667
    assert january == row(
        month="2025-01",
        product="vm-small",
        currency="EUR",
        unit="Hours",
        quantity="100",
        against_unit="Hours",
        against_quantity="100",
        cost="10.10",
        against_cost="12.00",
        delta="-1.90",
        ratio="0.841667",
        priced=True,
        against_priced=True,
    )
    # February and March have no budget
    assert [(r["month"], r["against_cost"], r["delta"]) for r in body["rows"][1:]] == [
        ("2025-02", None, None),
        ("2025-03", None, None),
    ]


async def test_previous_month_matches_each_month_with_the_month_before(client: Client) -> None:
    body = await compare(
        client,
        against_period="previous_month",
        group_by="month",
        application="billing",
        currency="EUR",
        **{"from": "2025-02", "to": "2025-03"},
    )
    assert (body["against"], body["against_period"]) == ("actual", "previous_month")
    assert (body["against_from"], body["against_to"]) == ("2025-01", "2025-02")
    assert body["rows"] == [
        # February 4.25 (50 GB-Months) against January 2.00 + 4.25 = 6.25 (two units: no
        # quantity on that side); delta -2.00, ratio 4.25 / 6.25 = 0.68
        row(
            month="2025-02",
            currency="EUR",
            unit="GB-Months",
            quantity="50",
            against_units=["GB-Months", "Hours"],
            cost="4.25",
            against_cost="6.25",
            delta="-2.00",
            ratio="0.680000",
            priced=True,
            against_priced=True,
        ),
        # billing has nothing in March: only the February side, labelled March
        row(
            month="2025-03",
            currency="EUR",
            against_unit="GB-Months",
            against_quantity="50",
            against_cost="4.25",
            against_priced=True,
        ),
    ]


async def test_previous_month_by_application_compares_the_totals_of_the_two_ranges(client: Client) -> None:
    body = await compare(
        client,
        against_period="previous_month",
        group_by="application",
        **{"from": "2025-02", "to": "2025-03"},
    )
    assert body["rows"] == [
        # February-March 4.25 against January-February 2.00 + 4.25 + 4.25 = 10.50:
        # delta -6.25, ratio 4.25 / 10.50 = 0.404761... -> 0.404762
        row(
            application="billing",
            currency="EUR",
            unit="GB-Months",
            quantity="50",
            against_units=["GB-Months", "Hours"],
            cost="4.25",
            against_cost="10.50",
            delta="-6.25",
            ratio="0.404762",
            priced=True,
            against_priced=True,
        ),
        # USD exists in February only: against January, which has none
        row(
            application="billing",
            currency="USD",
            unit="GB-Months",
            quantity="10",
            against_unit="GB-Months",
            against_quantity="10",
            cost="0.20",
            against_cost="0.20",
            delta="0.00",
            ratio="1.000000",
            priced=True,
            against_priced=True,
        ),
        # unpriced on both sides (the on-premises row of February); March's GB egress mixes the
        # view's units, the against side is all Hours: 100 + 3.5 + 100 + 40 = 243.5
        row(
            application="payments",
            currency="EUR",
            units=["GB", "Hours"],
            against_unit="Hours",
            against_quantity="243.5",
            priced=False,
            against_priced=False,
        ),
    ]


async def test_a_zero_against_cost_has_no_ratio(client: Client, mart_url: str) -> None:
    line = (
        "2024-12",
        "actual",
        "aws",
        "payments",
        "compute",
        "vm",
        "vm-large",
        "EUR",
        "Hours",
        "3.5",
        "0.05",
    )
    insert_cost_lines(mart_url, [line, (line[0], "budget", *line[2:10], "0")])
    body = await compare(client, against="budget", group_by="product", **{"from": "2024-12", "to": "2024-12"})
    assert [(r["cost"], r["against_cost"], r["delta"], r["ratio"]) for r in body["rows"]] == [
        ("0.05", "0", "0.05", None)
    ]


async def problem_names(client: Client, **params: str) -> list[str]:
    return await invalid_names(client, "/api/v1/costs/compare", **params)


async def test_exactly_one_of_against_and_against_period(client: Client) -> None:
    assert await problem_names(client) == ["against", "against_period"]
    assert await problem_names(client, against="budget", against_period="previous_year") == [
        "against",
        "against_period",
    ]


async def test_bad_compare_parameters_are_named(client: Client) -> None:
    assert await problem_names(client, against="nope") == ["against"]
    assert await problem_names(client, against_period="last_week") == ["against_period"]
    assert await problem_names(client, against="budget", **{"from": "2025-Q9"}) == ["from"]
    assert await problem_names(client, against="budget", group_by="team") == ["group_by"]
    assert await problem_names(client, against="budget", sort="cost_desc") == ["sort"]


async def test_top_movers_come_first_page_by_page(client: Client) -> None:
    # EUR by product, February-March against January-February (COST_LINES):
    #   vm-small  9.09 + 11.00 = 20.09 against 10.10 + 2.00 + 11.00 = 23.10: delta -3.01
    #   disk-ssd  4.25 against 4.25 + 4.25 = 8.50: delta -4.25
    #   egress-gb (March only), vm-large (January only), vm-onprem (unpriced): no delta
    params = {
        "against_period": "previous_month",
        "group_by": "product",
        "currency": "EUR",
        "sort": "delta_desc",
        "limit": "2",
        "from": "2025-02",
        "to": "2025-03",
    }
    body = await compare(client, **params)
    seen = [[(r["product"], r["delta"]) for r in body["rows"]]]
    while "next" in body:
        response = await client.get(body["next"])  # the link carries the sort
        body = response.json()
        seen.append([(r["product"], r["delta"]) for r in body["rows"]])
    assert seen == [
        [("disk-ssd", "-4.25"), ("vm-small", "-3.01")],  # by the size of the change, not its sign
        [("egress-gb", None), ("vm-large", None)],  # no delta: last, in the keys' order
        [("vm-onprem", None)],
    ]
    by_keys = await compare(client, **(params | {"sort": "keys", "limit": "10"}))
    products = ["disk-ssd", "egress-gb", "vm-large", "vm-onprem", "vm-small"]
    assert [r["product"] for r in by_keys["rows"]] == products
