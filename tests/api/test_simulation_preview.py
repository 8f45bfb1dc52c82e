"""POST /api/v1/costs/preview: adjustments applied by the server to a base view without saving
them, over tests/api/conftest.py COST_LINES. Its figures are a saved simulation's (the hand
computed ones of tests/api/test_simulations.py), and nothing is stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.fake_backstage import FakeBackstage
from tests.api.test_authorization import SIMULATION, user
from tests.api.test_simulations import THREE_ADJUSTMENTS, create
from tests.pipeline import query

Client = AsyncTestClient[Litestar]
PREVIEW = "/api/v1/costs/preview"
QUARTER = {"from": "2025-01", "to": "2025-03"}


def draft(**fields: Any) -> dict[str, Any]:
    """THREE_ADJUSTMENTS as a preview's body: no code, name or description."""
    return {"base_view": "actual", "adjustments": THREE_ADJUSTMENTS["adjustments"], **fields}


async def preview(
    client: Client, body: dict[str, Any], headers: dict[str, str] | None = None, **params: str
) -> dict[str, Any]:
    response = await client.post(PREVIEW, json=body, params=params, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def sides(body: dict[str, Any], *keys: str) -> dict[tuple[str, ...], tuple[Decimal | None, Decimal | None]]:
    """Each group's (cost under the adjustments, cost under the base view)."""

    def amount(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    return {
        tuple(row[key] for key in keys): (amount(row["cost"]), amount(row["against_cost"]))
        for row in body["rows"]
    }


@pytest.mark.usefixtures("costs_mart")
async def test_a_preview_gives_the_saved_simulations_figures_and_stores_nothing(
    client: Client, mart_url: str
) -> None:
    body = await preview(client, draft(group_by=["month", "application", "product"]), currency="EUR")
    assert (body["base_view"], body["from"], body["to"]) == ("actual", "2025-01", "2025-03")
    assert body["group_by"] == ["month", "application", "product", "currency"]
    assert sides(body, "month", "application", "product") == {
        # test_simulations.py's test_adjustments_apply_in_order, beside COST_LINES' actual costs
        ("2025-01", "billing", "disk-ssd"): (Decimal("2.50"), Decimal("4.25")),
        ("2025-01", "billing", "vm-small"): (Decimal("1.00"), Decimal("2.00")),
        ("2025-01", "payments", "vm-large"): (Decimal("0.05"), Decimal("0.05")),
        ("2025-01", "payments", "vm-small"): (Decimal("11.10"), Decimal("10.10")),
        ("2025-02", "billing", "disk-ssd"): (Decimal("4.25"), Decimal("4.25")),
        ("2025-02", "payments", "vm-onprem"): (None, None),
        ("2025-02", "payments", "vm-small"): (Decimal("13.10"), Decimal("11.00")),
        ("2025-03", "payments", "egress-gb"): (Decimal("0.01"), Decimal("0.01")),
        ("2025-03", "payments", "vm-small"): (Decimal("10.899"), Decimal("9.09")),
    }
    # by family: the family scope read from the roll-up, the others per product, applied once
    by_family = await preview(client, draft(group_by=["month", "family"]), currency="EUR")
    assert sides(by_family, "month", "family") == {
        ("2025-01", "vm"): (Decimal("12.15"), Decimal("12.15")),  # 1.00 + 0.05 + 11.10
        ("2025-01", "disk"): (Decimal("2.50"), Decimal("4.25")),
        ("2025-02", "vm"): (None, None),
        ("2025-02", "disk"): (Decimal("4.25"), Decimal("4.25")),
        ("2025-03", "vm"): (Decimal("10.899"), Decimal("9.09")),
        ("2025-03", "egress"): (Decimal("0.01"), Decimal("0.01")),
    }
    assert query(mart_url, "SELECT count(*) FROM finops.simulation_adjustment") == [(0,)]
    views = (await client.get("/api/v1/pricing-views")).json()["rows"]
    assert [view["code"] for view in views if view["kind"] == "simulation"] == ["whatif"]


@pytest.mark.usefixtures("costs_mart")
@pytest.mark.parametrize("group_by", ["month,family", "application", "domain,product", "month,owner", ""])
async def test_a_preview_equals_the_comparison_of_the_saved_simulation_with_its_base(
    client: Client, group_by: str
) -> None:
    await create(client, THREE_ADJUSTMENTS)
    keys = [key for key in group_by.split(",") if key]
    previewed = await preview(client, draft(group_by=keys, **QUARTER))
    response = await client.get(
        "/api/v1/costs/compare",
        params={
            "view": "sim-2",
            "against": "actual",
            "group_by": group_by,
            "from": "2025-01",
            "to": "2025-03",
        },
    )
    assert response.status_code == 200, response.text
    assert previewed["rows"] == response.json()["rows"]
    assert len(previewed["rows"]) >= 2


@pytest.mark.usefixtures("costs_mart")
async def test_pages_and_the_largest_change_first(client: Client) -> None:
    body = draft(group_by=["application"], sort="delta_desc")
    first = await preview(client, body, limit="1")
    # billing: 3.50 + 4.25 against 6.25 + 4.25 (-2.75); payments: 11.15 + 13.10 + 10.909 against
    # 10.15 + 11.00 + 9.10 (+4.909), but February's unpriced vm-onprem leaves it no cost
    assert [(row["application"], row["currency"], row["delta"]) for row in first["rows"]] == [
        ("billing", "EUR", "-2.75")
    ]
    assert first["next"] == f"{PREVIEW}?limit=1&offset=1"
    second = await preview(client, body, limit="1", offset="1")
    assert [(row["application"], row["currency"]) for row in second["rows"]] == [("billing", "USD")]


@pytest.mark.usefixtures("costs_mart")
@pytest.mark.parametrize(
    ("fields", "name", "reason"),
    [
        ({"base_view": "nope"}, "base_view", "unknown pricing view 'nope'"),
        ({"base_view": "whatif"}, "base_view", "'whatif' is a simulation; start from its base view"),
        ({"group_by": ["application", "colour"]}, "group_by", "unknown key 'colour'"),
        ({"from": "2025-03", "to": "2025-01"}, "from", "2025-03 is after to (2025-01)"),
        (
            {"adjustments": [{"scope": {"level": "family", "code": "vm"}, "from": "2025-03", "to": "2025-01",
                              "kind": "percent", "value": "10"}]},
            "adjustments[0].from",
            "2025-03 is after to (2025-01)",
        ),
        ({"adjustments": [{"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "ten"}]},
         "adjustments[0].value", "expected a decimal number"),
        ({"code": "sim-x"}, "body", "unknown field `code`"),
    ],
)  # fmt: skip
async def test_a_bad_preview_names_its_field(
    client: Client, fields: dict[str, Any], name: str, reason: str
) -> None:
    response = await client.post(PREVIEW, json=draft(**fields))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    params = problem.get("invalid_params") or [{"name": name, "reason": problem["detail"]}]
    assert any(p["name"] == name and reason in p["reason"] for p in params), problem


@pytest.mark.usefixtures("costs_mart")
async def test_a_preview_demands_json_and_bounds_its_adjustments(client: Client) -> None:
    response = await client.post(PREVIEW, content=b"{}", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    many = [{"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "1"}] * 201
    response = await client.post(PREVIEW, json=draft(adjustments=many))
    assert response.status_code == 400
    assert response.json()["invalid_params"] == [
        {"name": "adjustments", "reason": "at most 200 adjustments per simulation, got 201"}
    ]


async def test_a_viewer_previews_its_own_applications(auth_client: Client, backstage: FakeBackstage) -> None:
    """Open to every role, as reading the base view is, and scoped as that read is: pat (payments
    team) sees payments alone, cut by 10%, and nothing of billing's +50%."""
    body = {"base_view": "actual", "adjustments": SIMULATION["adjustments"], "group_by": ["application"]}
    january = {"from": "2025-01", "to": "2025-01"}
    pat = await preview(auth_client, {**body, **january}, user(backstage, "pat"))
    assert sides(pat, "application", "currency") == {
        ("payments", "EUR"): (Decimal("9.135"), Decimal("10.15"))  # 10.15 x 0.9
    }
    fiona = await preview(auth_client, {**body, **january}, user(backstage, "fiona"))
    assert sides(fiona, "application", "currency") == {
        ("billing", "EUR"): (Decimal("9.375"), Decimal("6.25")),  # 6.25 x 1.5
        ("payments", "EUR"): (Decimal("9.135"), Decimal("10.15")),
    }
    assert (await auth_client.post(PREVIEW, json=body)).status_code == 401


async def test_organisation_totals_never_open_an_application_scope(
    showback_client: Client, backstage: FakeBackstage
) -> None:
    """With organisation_totals, a viewer's total is the organisation's (as GET /costs gives
    it), unless the preview singles an application out: billing +100% would otherwise show
    billing's cost (6.25) in the delta of pat, who sees payments alone."""
    pat = user(backstage, "pat")
    january = {"from": "2025-01", "to": "2025-01", "group_by": []}
    billing = {"scope": {"level": "application", "code": "billing"}, "kind": "percent", "value": "100"}
    scoped = await preview(showback_client, {"base_view": "actual", "adjustments": [billing], **january}, pat)
    assert sides(scoped, "currency") == {("EUR",): (Decimal("10.15"), Decimal("10.15"))}  # payments' own
    vm = {"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "10"}
    whole = await preview(showback_client, {"base_view": "actual", "adjustments": [vm], **january}, pat)
    # the organisation: 16.40, its vm family (12.15) 10% dearer
    assert sides(whole, "currency") == {("EUR",): (Decimal("17.615"), Decimal("16.40"))}
