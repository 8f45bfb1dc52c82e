"""What each role sees and may do, over tests/api/conftest.py COST_LINES with payments owned by
the payments team and billing by the billing team (tests/api/auth_fixtures.py)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.auth_fixtures import CI_TOKEN, VIEWER_TOKEN, bearer
from tests.api.fake_backstage import FakeBackstage
from tests.pipeline import query

Client = AsyncTestClient[Litestar]
JANUARY = {"from": "2025-01", "to": "2025-01"}
SIMULATION = {
    "code": "sim-payments-cut",
    "name": "Payments VMs minus ten percent",
    "base_view": "actual",
    "adjustments": [
        {"scope": {"level": "application", "code": "payments"}, "kind": "percent", "value": "-10"},
        {"scope": {"level": "application", "code": "billing"}, "kind": "percent", "value": "50"},
    ],
}


def user(backstage: FakeBackstage, name: str) -> dict[str, str]:
    return bearer(backstage.token(f"user:default/{name}"))


async def ok(client: Client, path: str, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def costs(body: dict[str, Any], *keys: str) -> dict[tuple[str, ...], str | None]:
    return {tuple(row[key] for key in keys): row["cost"] for row in body["rows"]}


async def test_a_viewer_sees_exactly_its_applications(auth_client: Client, backstage: FakeBackstage) -> None:
    pat = user(backstage, "pat")  # payments team
    by_app = await ok(auth_client, "/api/v1/costs", pat, group_by="application", **JANUARY)
    # payments in January: 10.10 + 0.05; billing (6.25) is not there
    assert costs(by_app, "application", "currency") == {("payments", "EUR"): "10.15"}
    total = await ok(auth_client, "/api/v1/costs", pat, group_by="", **JANUARY)
    assert costs(total, "currency") == {("EUR",): "10.15"}  # the org total is the sum of its own
    by_family = await ok(auth_client, "/api/v1/costs", pat, group_by="month,family", **JANUARY)
    assert costs(by_family, "month", "family", "currency") == {("2025-01", "vm", "EUR"): "10.15"}
    # asking for another team's application by name gives nothing, not an error
    other = await ok(auth_client, "/api/v1/costs", pat, application="billing", **JANUARY)
    assert other["rows"] == []
    # finance sees both: 10.15 + 6.25
    fiona = user(backstage, "fiona")
    everything = await ok(auth_client, "/api/v1/costs", fiona, group_by="", **JANUARY)
    assert costs(everything, "currency") == {("EUR",): "16.40"}


async def test_compare_and_variance_are_scoped(auth_client: Client, backstage: FakeBackstage) -> None:
    pat = user(backstage, "pat")
    compared = await ok(
        auth_client, "/api/v1/costs/compare", pat, group_by="application", against="budget", **JANUARY
    )
    assert [(row["application"], row["cost"], row["against_cost"]) for row in compared["rows"]] == [
        ("payments", "10.15", "12.00")
    ]
    variance = await ok(
        auth_client, "/api/v1/costs/variance", pat, against_period="previous_month", group_by="application",
        **{"from": "2025-02", "to": "2025-02"},
    )  # fmt: skip
    assert [row["application"] for row in variance["rows"]] == ["payments"]


async def test_unseen_applications_are_unknown_not_forbidden(
    auth_client: Client, backstage: FakeBackstage
) -> None:
    pat = user(backstage, "pat")
    listed = await ok(auth_client, "/api/v1/applications", pat)
    assert [row["code"] for row in listed["rows"]] == ["payments"]
    assert (await auth_client.get("/api/v1/applications/payments/history", headers=pat)).status_code == 200
    hidden = await auth_client.get("/api/v1/applications/billing/history", headers=pat)
    unknown = await auth_client.get("/api/v1/applications/nope/history", headers=pat)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"] == "unknown application 'billing'"
    assert hidden.json().keys() == unknown.json().keys()
    explained = await ok(
        auth_client, "/api/v1/allocations/explain", pat, application="billing", month="2025-01"
    )
    assert explained["rows"] == [] and explained["has_cost"] is False  # billing's costs are not told


async def test_simulations_need_finance_and_are_audited(
    auth_client: Client, backstage: FakeBackstage, costs_mart: str
) -> None:
    pat, fiona = user(backstage, "pat"), user(backstage, "fiona")
    denied = await auth_client.post("/api/v1/pricing-views/simulations", json=SIMULATION, headers=pat)
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    assert denied.json()["detail"] == "user:default/pat has the viewer role; this needs the finance role"
    created = await auth_client.post("/api/v1/pricing-views/simulations", json=SIMULATION, headers=fiona)
    assert created.status_code == 201, created.text
    # the viewer reads it scoped: its application's adjustment only, its costs only
    seen = await ok(auth_client, "/api/v1/pricing-views/sim-payments-cut", pat)
    assert [a["scope"]["code"] for a in seen["adjustments"]] == ["payments"]
    simulated = await ok(auth_client, "/api/v1/costs", pat, view="sim-payments-cut", group_by="", **JANUARY)
    assert costs(simulated, "currency") == {("EUR",): "9.1350"}  # 10.15 x 0.9
    assert (
        await auth_client.delete("/api/v1/pricing-views/sim-payments-cut", headers=pat)
    ).status_code == 403
    assert (
        await auth_client.delete("/api/v1/pricing-views/sim-payments-cut", headers=fiona)
    ).status_code == 204
    audit = query(
        costs_mart,
        "SELECT subject, role, action, target, before IS NULL, after ->> 'name', before -> 'adjustments' -> 1"
        " ->> 'value' FROM finops.api_write_audit ORDER BY audit_id",
    )
    assert audit == [
        (
            "user:default/fiona",
            "finance",
            "createSimulation",
            "sim-payments-cut",
            True,
            SIMULATION["name"],
            None,
        ),
        ("user:default/fiona", "finance", "deletePricingView", "sim-payments-cut", False, None, "50"),
    ]


async def test_writes_demand_json(auth_client: Client) -> None:
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ):
        response = await auth_client.post(
            "/api/v1/pricing-views/simulations",
            content=b'{"code": "sim-x", "name": "x", "base_view": "actual"}',
            headers={**bearer(CI_TOKEN), "Content-Type": content_type},
        )
        assert response.status_code == 415, (content_type, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert (
            response.json()["detail"]
            == f"the body must be application/json, got {content_type.split(';')[0]}"
        )
    created = await auth_client.post(
        "/api/v1/pricing-views/simulations",
        content=b'{"code": "sim-x", "name": "x", "base_view": "actual"}',
        headers={**bearer(CI_TOKEN), "Content-Type": "application/json; charset=utf-8"},
    )
    assert created.status_code == 201, created.text


async def test_load_audit_is_for_admins(auth_client: Client, backstage: FakeBackstage) -> None:
    assert (await auth_client.get("/api/v1/loads", headers=user(backstage, "fiona"))).status_code == 403
    assert (await auth_client.get("/api/v1/loads", headers=bearer(VIEWER_TOKEN))).status_code == 403
    assert (await auth_client.get("/api/v1/loads", headers=user(backstage, "ada"))).status_code == 200


async def test_coverage_is_scoped(auth_client: Client, backstage: FakeBackstage) -> None:
    body = await ok(auth_client, "/api/v1/mapping/coverage", bearer(VIEWER_TOKEN), month="2025-01")
    assert [(row["source"], row["total_cost"]) for row in body["rows"]] == [("aws", "10.15")]
    everything = await ok(auth_client, "/api/v1/mapping/coverage", bearer(CI_TOKEN), month="2025-01")
    assert [(row["source"], row["total_cost"]) for row in everything["rows"]] == [("aws", "16.40")]


async def test_organisation_totals_open_totals_only(
    showback_client: Client, backstage: FakeBackstage
) -> None:
    pat = user(backstage, "pat")
    total = await ok(showback_client, "/api/v1/costs", pat, group_by="", **JANUARY)
    assert costs(total, "currency") == {("EUR",): "16.40"}  # the whole organisation
    by_domain = await ok(showback_client, "/api/v1/costs", pat, group_by="domain", **JANUARY)
    assert costs(by_domain, "domain", "currency") == {("compute", "EUR"): "12.15", ("storage", "EUR"): "4.25"}
    # broken down by team, still only its own
    by_app = await ok(showback_client, "/api/v1/costs", pat, group_by="application", **JANUARY)
    assert costs(by_app, "application", "currency") == {("payments", "EUR"): "10.15"}
    filtered = await ok(showback_client, "/api/v1/costs", pat, group_by="", application="billing", **JANUARY)
    assert filtered["rows"] == []
