"""GET /api/v1/costs/variance: delta split into volume, mix, price, unsplit, new and retired, checked
exactly (Decimal) on figures computed by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.conftest import CostLine, get_ok, insert_cost_lines, invalid_names

Client = AsyncTestClient[Litestar]

COMPONENTS = ("volume", "mix", "price", "fx", "unsplit", "new", "retired")


def line(month: str, application: str, product: str, unit: str, quantity: str, cost: str | None) -> CostLine:
    return (month, "actual", "aws", application, "compute", "vm", product, "EUR", unit, quantity, cost)


VARIANCE_LINES = [
    # shop, all in Hours. p1: 100 h at 0.10 -> 120 h at 0.11; p2: 50 h at 0.40 -> 30 h at 0.40;
    # p3 new in February; p4 retired after January.
    line("2025-01", "shop", "p1", "Hours", "100", "10.00"),
    line("2025-02", "shop", "p1", "Hours", "120", "13.20"),
    line("2025-01", "shop", "p2", "Hours", "50", "20.00"),
    line("2025-02", "shop", "p2", "Hours", "30", "12.00"),
    line("2025-02", "shop", "p3", "Hours", "10", "5.00"),
    line("2025-01", "shop", "p4", "Hours", "7", "3.50"),
    # lab: one product whose volume effect does not end in 6 decimals: 3 h for 1.00 -> 4 h for 1.50
    line("2025-01", "lab", "p5", "Hours", "3", "1.00"),
    line("2025-02", "lab", "p5", "Hours", "4", "1.50"),
    # mixed: two units, so no row-level volume: 10 h at 0.10 -> 20 h at 0.10; 10 GB for 1 -> 3
    line("2025-01", "mixed", "p6", "Hours", "10", "1.00"),
    line("2025-02", "mixed", "p6", "Hours", "20", "2.00"),
    line("2025-01", "mixed", "p7", "GB", "10", "1"),
    line("2025-02", "mixed", "p7", "GB", "10", "3"),
    # remetered: p8 went from 100 Hours (10.00) to 40 vCPU (16.00), p9 from 10 GB (2.00) to
    # 5 GB + 5 GB-Mo (3.00, two units in February); p10 stays 10 h at 0.10 -> 30 h at 0.10
    line("2025-01", "remetered", "p8", "Hours", "100", "10.00"),
    line("2025-02", "remetered", "p8", "vCPU", "40", "16.00"),
    line("2025-01", "remetered", "p9", "GB", "10", "2.00"),
    line("2025-02", "remetered", "p9", "GB", "5", "1.00"),
    line("2025-02", "remetered", "p9", "GB-Mo", "5", "2.00"),
    line("2025-01", "remetered", "p10", "Hours", "10", "1.00"),
    line("2025-02", "remetered", "p10", "Hours", "30", "3.00"),
    # unpriced in February: no figures
    line("2025-01", "dark", "p1", "Hours", "1", "0.10"),
    line("2025-02", "dark", "p1", "Hours", "1", None),
]


@pytest.fixture
def variance_mart(mart_url: str) -> str:
    insert_cost_lines(mart_url, VARIANCE_LINES)
    return mart_url


async def variance(client: Client, **params: str) -> dict[str, Any]:
    return await get_ok(client, "/api/v1/costs/variance", **params)


def figures(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("cost", "against_cost", "delta", *COMPONENTS)}


@pytest.mark.usefixtures("variance_mart")
async def test_variance_by_application(client: Client) -> None:
    body = await variance(client, against_period="previous_month", **{"from": "2025-02", "to": "2025-02"})
    assert (body["from"], body["to"], body["against_from"], body["against_to"]) == (
        "2025-02",
        "2025-02",
        "2025-01",
        "2025-01",
    )
    assert body["group_by"] == ["application", "currency"]
    rows = {row["application"]: row for row in body["rows"]}
    assert list(rows) == ["dark", "lab", "mixed", "remetered", "shop"]
    assert rows["dark"]["priced"] is False
    assert figures(rows["dark"]) == dict.fromkeys(figures(rows["dark"]))
    # shop: cost 13.20 + 12.00 + 5.00 = 30.20, against 10.00 + 20.00 + 3.50 = 33.50, delta -3.30.
    # p1: volume (120 - 100) x 10.00 / 100 = 2, price 3.20 - 2 = 1.20;
    # p2: volume (30 - 50) x 20.00 / 50 = -8, price -8.00 + 8 = 0;
    # row volume: p1 + p2 went from 150 h to 150 h: 0 at the old average price; mix = 2 - 8 - 0 = -6;
    # new p3 5.00; retired p4 -3.50. 0 - 6 + 1.20 + 5.00 - 3.50 = -3.30.
    assert figures(rows["shop"]) == {
        "cost": "30.20",
        "against_cost": "33.50",
        "delta": "-3.30",
        "volume": "0.000000",
        "mix": "-6.000000",
        "price": "1.200000",
        "fx": "0.00",
        "unsplit": "0",
        "new": "5.00",
        "retired": "-3.50",
    }
    # lab: volume (4 - 3) x 1.00 / 3 = 0.333333 (6 decimals), price 0.50 - 0.333333 = 0.166667
    assert figures(rows["lab"]) == {
        "cost": "1.50",
        "against_cost": "1.00",
        "delta": "0.50",
        "volume": "0.333333",
        "mix": "0.000000",
        "price": "0.166667",
        "fx": "0.00",
        "unsplit": "0",
        "new": "0",
        "retired": "0",
    }
    # mixed: Hours and GB cannot be added: volume is the products' own, 10 x 0.10 + 0 = 1, no mix;
    # price p6 1.00 - 1 = 0, p7 2 - 0 = 2
    assert figures(rows["mixed"]) == {
        "cost": "5.00",
        "against_cost": "2.00",
        "delta": "3.00",
        "volume": "1.000000",
        "mix": "0.000000",
        "price": "2.000000",
        "fx": "0.00",
        "unsplit": "0",
        "new": "0",
        "retired": "0",
    }
    # remetered: p8's Hours and vCPU, and p9's GB against GB + GB-Mo, are never compared: their
    # changes, 16.00 - 10.00 and 3.00 - 2.00, are unsplit; p10 alone is split, (30 - 10) x 1.00 / 10
    # = 2 of volume at the row (p10 is its only comparable product, so no mix) and 0 of price
    assert figures(rows["remetered"]) == {
        "cost": "22.00",
        "against_cost": "13.00",
        "delta": "9.00",
        "volume": "2.000000",
        "mix": "0.000000",
        "price": "0.000000",
        "fx": "0.00",
        "unsplit": "7.00",
        "new": "0",
        "retired": "0",
    }


@pytest.mark.usefixtures("variance_mart")
@pytest.mark.parametrize("group_by", ["application", "product", "application,product", "", "family,source"])
async def test_components_add_up_to_delta_exactly(client: Client, group_by: str) -> None:
    body = await variance(
        client,
        against_period="previous_month",
        group_by=group_by,
        application="shop,lab,mixed,remetered",
        **{"from": "2025-02", "to": "2025-02"},
    )
    rows = body["rows"]
    assert rows and all(row["priced"] for row in rows)
    for row in rows:
        assert sum(Decimal(row[key]) for key in COMPONENTS) == Decimal(row["delta"]), row
        assert Decimal(row["cost"]) - Decimal(row["against_cost"]) == Decimal(row["delta"])
    # the total: shop -3.30 + lab 0.50 + mixed 3.00 + remetered 9.00 = 9.20, whatever the grouping
    total = sum(Decimal(row["delta"]) for row in rows)
    assert total == Decimal("9.20")
    # and the unsplit products' share, 6.00 + 1.00, whatever the grouping: units are compared per product
    assert sum(Decimal(row["unsplit"]) for row in rows) == Decimal("7.00")
    assert sum(Decimal(row[key]) for row in rows for key in COMPONENTS) == total


@pytest.mark.usefixtures("variance_mart")
async def test_variance_by_product_has_no_mix(client: Client) -> None:
    body = await variance(
        client, against_period="previous_month", group_by="product", application="shop", **{"from": "2025-02"}
    )
    assert [
        (r["product"], r["volume"], r["mix"], r["price"], r["unsplit"], r["new"], r["retired"])
        for r in body["rows"]
    ] == [
        ("p1", "2.000000", "0.000000", "1.200000", "0", "0", "0"),
        ("p2", "-8.000000", "0.000000", "0.000000", "0", "0", "0"),
        ("p3", "0", "0", "0", "0", "5.00", "0"),
        ("p4", "0", "0", "0", "0", "0", "-3.50"),
    ]


@pytest.mark.usefixtures("variance_mart")
async def test_a_product_is_split_only_in_one_unit_on_both_sides(client: Client) -> None:
    body = await variance(
        client,
        against_period="previous_month",
        group_by="product",
        application="remetered",
        **{"from": "2025-02"},
    )
    # p10: Hours on both sides, split; p8 (Hours, then vCPU) and p9 (GB, then GB and GB-Mo) not
    assert [
        (r["product"], r["volume"], r["mix"], r["price"], r["unsplit"], r["new"], r["retired"])
        for r in body["rows"]
    ] == [
        ("p10", "2.000000", "0.000000", "0.000000", "0", "0", "0"),
        ("p8", "0", "0", "0", "6.00", "0", "0"),
        ("p9", "0", "0", "0", "1.00", "0", "0"),
    ]


@pytest.mark.usefixtures("variance_mart")
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({}, "against_period"),
        ({"against_period": "previous_week"}, "against_period"),
        ({"against_period": "previous_year", "group_by": "month,application"}, "group_by"),
        ({"against_period": "previous_year", "group_by": "quarter"}, "group_by"),
        ({"against_period": "previous_year", "view": "nope"}, "view"),
    ],
)
async def test_bad_variance_parameters_are_named(client: Client, params: dict[str, str], name: str) -> None:
    assert await invalid_names(client, "/api/v1/costs/variance", **params) == [name]
