"""Simulation pricing views: created, read and deleted through the API, and evaluated on the fly
by /costs, /costs/compare and /costs/variance over tests/api/conftest.py COST_LINES."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.test_costs import costs

Client = AsyncTestClient[Litestar]

pytestmark = pytest.mark.usefixtures("costs_mart")

VM_PLUS_TEN = {
    "code": "sim-vm-plus-10",
    "name": "VMs plus ten percent",
    "base_view": "actual",
    "adjustments": [{"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "10"}],
}

# In this order: the order changes March's vm-small (see test_adjustments_apply_in_order).
THREE_ADJUSTMENTS = {
    "code": "sim-2",
    "name": "Three adjustments",
    "base_view": "actual",
    "description": "vm +10% from February, vm-small +0.01 per hour, billing at 0.05 per unit in January",
    "adjustments": [
        {"scope": {"level": "family", "code": "vm"}, "from": "2025-02", "kind": "percent", "value": "10"},
        {"scope": {"level": "product", "code": "vm-small"}, "kind": "absolute", "value": "0.01"},
        {
            "scope": {"level": "application", "code": "billing"},
            "to": "2025-01",
            "kind": "price",
            "value": "0.05",
        },
    ],
}


async def create(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/v1/pricing-views/simulations", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def by_key(rows: list[dict[str, Any]], *keys: str) -> dict[tuple[str, ...], str | None]:
    return {tuple(row[key] for key in keys): row["cost"] for row in rows}


async def test_create_get_list_and_delete(client: Client) -> None:
    created = await create(client, THREE_ADJUSTMENTS)
    assert created == {
        "code": "sim-2",
        "name": "Three adjustments",
        "kind": "simulation",
        "currency": None,  # the base view's
        "base_view": "actual",
        "description": THREE_ADJUSTMENTS["description"],
        "adjustments": [
            {
                "scope": {"level": "family", "code": "vm"},
                "from": "2025-02",
                "to": None,
                "kind": "percent",
                "value": "10",
            },
            {
                "scope": {"level": "product", "code": "vm-small"},
                "from": None,
                "to": None,
                "kind": "absolute",
                "value": "0.01",
            },
            {
                "scope": {"level": "application", "code": "billing"},
                "from": None,
                "to": "2025-01",
                "kind": "price",
                "value": "0.05",
            },
        ],
    }
    assert (await client.get("/api/v1/pricing-views/sim-2")).json() == created
    listed = (await client.get("/api/v1/pricing-views")).json()["rows"]
    assert [(v["code"], v["kind"], v["base_view"]) for v in listed if v["kind"] == "simulation"] == [
        ("sim-2", "simulation", "actual"),
        ("whatif", "simulation", "budget"),
    ]
    budget = (await client.get("/api/v1/pricing-views/budget")).json()
    assert (budget["kind"], budget["adjustments"]) == ("rate_card", [])

    assert (await client.delete("/api/v1/pricing-views/sim-2")).status_code == 204
    assert (await client.get("/api/v1/pricing-views/sim-2")).status_code == 404
    assert (await client.get("/api/v1/costs", params={"view": "sim-2"})).status_code == 400
    assert (await client.delete("/api/v1/pricing-views/sim-2")).status_code == 404
    # a deleted view's code is never reused
    assert (await client.post("/api/v1/pricing-views/simulations", json=THREE_ADJUSTMENTS)).status_code == 409


async def test_only_simulations_are_deleted(client: Client) -> None:
    response = await client.delete("/api/v1/pricing-views/actual")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "not a simulation" in response.json()["detail"]
    assert (await client.get("/api/v1/pricing-views/nope")).status_code == 404


async def invalid(client: Client, body: dict[str, Any], status: int = 400) -> list[dict[str, str]]:
    response = await client.post("/api/v1/pricing-views/simulations", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    params: list[dict[str, str]] = response.json().get("invalid_params", [])
    return params


def adjustment(**fields: str) -> dict[str, Any]:
    return {"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "10", **fields}


@pytest.mark.parametrize(
    ("change", "name", "reason"),
    [
        ({"base_view": "nope"}, "base_view", "unknown pricing view 'nope'"),
        ({"base_view": "old"}, "base_view", "unknown pricing view 'old'"),  # soft-deleted
        ({"base_view": "whatif"}, "base_view", "'whatif' is a simulation; start from its base view"),
        ({"code": "Bad Code"}, "code", "expected sim- then lower-case letters"),
        # the pricing files' namespace: never the API's (the budget-2027 case of issue 10)
        ({"code": "budget-2027"}, "code", "expected sim- then lower-case letters"),
        ({"name": ""}, "name", "Expected `str` of length >= 1"),
        ({"adjustments": [adjustment(value="1e3")]}, "adjustments[0].value", "expected a decimal number"),
        ({"adjustments": [adjustment(value="ten")]}, "adjustments[0].value", "expected a decimal number"),
        ({"adjustments": [adjustment(kind="double")]}, "adjustments[0].kind", "Invalid enum value 'double'"),
        ({"adjustments": [adjustment(), adjustment(to="2025-13")]}, "adjustments[1].to", "expected a month"),
        (
            {"adjustments": [adjustment(**{"from": "2025-03", "to": "2025-01"})]},
            "adjustments[0].from",
            "after to",
        ),
    ],
)
async def test_invalid_simulations_are_named(
    client: Client, change: dict[str, Any], name: str, reason: str
) -> None:
    params = await invalid(client, {**VM_PLUS_TEN, **change})
    assert params[0]["name"] == name
    assert reason in params[0]["reason"]


async def test_missing_field_and_duplicate_code(client: Client) -> None:
    assert await invalid(client, {"name": "n", "base_view": "actual"}) == [
        {"name": "code", "reason": "required field is missing"}
    ]
    await create(client, VM_PLUS_TEN)
    await invalid(client, VM_PLUS_TEN, status=409)


@pytest.mark.parametrize(
    "group_by",
    # each read model: cost_by_family, cost_by_application, cost_by_product
    ["month,family", "month,application", "month,application,product", "month,source,domain", "quarter"],
)
async def test_plus_ten_percent_on_a_family_changes_exactly_that_family(
    client: Client, group_by: str
) -> None:
    """Every group's simulated cost is its actual cost plus exactly 10% of its vm rows' cost."""
    await create(client, VM_PLUS_TEN)
    keys = [*group_by.split(","), "currency"]
    actual = (await costs(client, group_by=group_by))["rows"]
    by_family = (await costs(client, group_by=f"{group_by},family"))["rows"]
    vm_cost: dict[tuple[str, ...], Decimal] = {}
    for row in by_family:
        if row["family"] == "vm" and row["cost"] is not None:
            vm_cost[tuple(row[k] for k in keys)] = Decimal(row["cost"])
    simulated = (await costs(client, view="sim-vm-plus-10", group_by=group_by))["rows"]
    assert len(simulated) == len(actual)
    for base, sim in zip(actual, simulated, strict=True):
        assert [sim[k] for k in keys] == [base[k] for k in keys]
        # quantities never change, nor does what is priced
        assert (sim["quantity"], sim["unit"], sim["priced"]) == (
            base["quantity"],
            base["unit"],
            base["priced"],
        )
        if base["cost"] is None:
            assert sim["cost"] is None
            continue
        vm = vm_cost.get(tuple(base[k] for k in keys), Decimal(0))
        assert Decimal(sim["cost"]) == Decimal(base["cost"]) + vm * Decimal("0.1"), (base, sim)
        if not vm:
            assert sim["cost"] == base["cost"]  # untouched: the very same text


async def test_plus_ten_percent_exact_figures(client: Client) -> None:
    await create(client, VM_PLUS_TEN)
    body = await costs(client, view="sim-vm-plus-10", group_by="month,family", currency="EUR")
    assert {k: Decimal(v) if v else None for k, v in by_key(body["rows"], "month", "family").items()} == {
        # January vm: (10.10 + 0.05 + 2.00) x 1.1 = 12.15 x 1.1 = 13.365
        ("2025-01", "vm"): Decimal("13.365"),
        ("2025-01", "disk"): Decimal("4.25"),
        ("2025-02", "vm"): None,  # the unpriced on-premises row: still unpriced
        ("2025-02", "disk"): Decimal("4.25"),
        ("2025-03", "vm"): Decimal("9.999"),  # 9.09 x 1.1
        ("2025-03", "egress"): Decimal("0.01"),
    }
    by_app = await costs(
        client, view="sim-vm-plus-10", group_by="application", **{"from": "2025-01", "to": "2025-01"}
    )
    # payments 10.15 + 1.015, billing 6.25 + 0.20
    assert {k: Decimal(v or "0") for k, v in by_key(by_app["rows"], "application").items()} == {
        ("billing",): Decimal("6.45"),
        ("payments",): Decimal("11.165"),
    }


async def test_adjustments_apply_in_order(client: Client) -> None:
    await create(client, THREE_ADJUSTMENTS)
    body = await costs(client, view="sim-2", group_by="month,application,product", currency="EUR")
    assert {
        k: Decimal(v) if v else None
        for k, v in by_key(body["rows"], "month", "application", "product").items()
    } == {
        # January: no +10% yet; billing priced at 0.05 per unit (after vm-small's +0.01: price wins)
        ("2025-01", "billing", "disk-ssd"): Decimal("2.50"),  # 50 x 0.05
        ("2025-01", "billing", "vm-small"): Decimal("1.00"),  # 20 x 0.05
        ("2025-01", "payments", "vm-large"): Decimal("0.05"),
        ("2025-01", "payments", "vm-small"): Decimal("11.10"),  # 10.10 + 100 x 0.01
        ("2025-02", "billing", "disk-ssd"): Decimal("4.25"),  # the price stopped in January
        ("2025-02", "payments", "vm-onprem"): None,
        ("2025-02", "payments", "vm-small"): Decimal("13.10"),  # 11.00 x 1.1 + 100 x 0.01
        ("2025-03", "payments", "egress-gb"): Decimal("0.01"),
        ("2025-03", "payments", "vm-small"): Decimal("10.899"),  # 9.09 x 1.1 + 0.90 (not 10.989)
    }
    # the same through the roll-up: January payments 11.10 + 0.05; March 10.899 + 0.01
    by_app = await costs(client, view="sim-2", group_by="month,application", currency="EUR")
    assert {
        k: Decimal(v) if v else None for k, v in by_key(by_app["rows"], "month", "application").items()
    } == {
        ("2025-01", "billing"): Decimal("3.50"),
        ("2025-01", "payments"): Decimal("11.15"),
        ("2025-02", "billing"): Decimal("4.25"),
        ("2025-02", "payments"): None,
        ("2025-03", "payments"): Decimal("10.909"),
    }


async def test_a_family_scope_read_from_the_roll_up_and_the_others_per_product(client: Client) -> None:
    """By family, the family scope is read from cost_by_family and the product and application
    scopes from cost_by_product, without applying twice the +10% of the rows in both."""
    await create(client, THREE_ADJUSTMENTS)
    body = await costs(client, view="sim-2", group_by="month,family", currency="EUR")
    assert {k: Decimal(v) if v else None for k, v in by_key(body["rows"], "month", "family").items()} == {
        # the by-product figures of test_adjustments_apply_in_order, summed per family
        ("2025-01", "vm"): Decimal("12.15"),  # 1.00 + 0.05 + 11.10
        ("2025-01", "disk"): Decimal("2.50"),
        ("2025-02", "vm"): None,
        ("2025-02", "disk"): Decimal("4.25"),
        ("2025-03", "vm"): Decimal("10.899"),  # 9.09 x 1.1 + 0.90, not 9.09 x 1.1 x 1.1 + ...
        ("2025-03", "egress"): Decimal("0.01"),
    }
    # by owner (all '' here) likewise: the family scope from cost_by_owner_family
    for month, expected in (("2025-01", "14.65"), ("2025-03", "10.909")):  # 12.15 + 2.50; 10.899 + 0.01
        by_owner = await costs(
            client, view="sim-2", group_by="owner", currency="EUR", **{"from": month, "to": month}
        )
        assert [(row["owner"], Decimal(row["cost"])) for row in by_owner["rows"]] == [("", Decimal(expected))]


async def test_a_simulation_on_either_side_of_compare_and_variance(client: Client) -> None:
    await create(client, THREE_ADJUSTMENTS)
    response = await client.get(
        "/api/v1/costs/compare",
        params={
            "view": "actual",
            "against": "sim-2",
            "group_by": "application",
            "from": "2025-01",
            "to": "2025-01",
        },
    )
    assert response.status_code == 200, response.text
    # billing 6.25 against 3.50; payments 10.15 against 11.15
    assert [
        (r["application"], r["cost"], r["against_cost"], Decimal(r["delta"])) for r in response.json()["rows"]
    ] == [
        ("billing", "6.25", "3.50", Decimal("2.75")),
        ("payments", "10.15", "11.15", Decimal("-1.00")),
    ]
    response = await client.get(
        "/api/v1/costs/variance",
        params={
            "view": "sim-2",
            "against_period": "previous_month",
            "group_by": "product",
            "product": "vm-small",
            "from": "2025-03",
        },
    )
    assert response.status_code == 200, response.text
    [row] = response.json()["rows"]
    # March 90 h for 10.899 against February 100 h for 13.10: volume -10 x 0.131 = -1.31,
    # price -2.201 + 1.31 = -0.891
    assert [Decimal(row[k]) for k in ("delta", "volume", "price", "mix", "new", "retired")] == [
        Decimal("-2.201"),
        Decimal("-1.31"),
        Decimal("-0.891"),
        0,
        0,
        0,
    ]


async def test_an_application_scope_on_the_application_roll_up(client: Client) -> None:
    await create(
        client,
        {
            "code": "sim-billing-flat",
            "name": "Billing at 0.05 per unit",
            "base_view": "actual",
            "adjustments": [
                {"scope": {"level": "application", "code": "billing"}, "kind": "price", "value": "0.05"}
            ],
        },
    )
    body = await costs(
        client, view="sim-billing-flat", group_by="application", **{"from": "2025-01", "to": "2025-01"}
    )
    # billing: (20 Hours + 50 GB-Months) x 0.05 = 3.50; payments untouched
    assert by_key(body["rows"], "application") == {("billing",): "3.50", ("payments",): "10.15"}
