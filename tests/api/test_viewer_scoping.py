"""A viewer's reports read the application roll-ups (cost_by_application_family) and its visible
applications are cached per data version: answers must stay exactly the sums over its own
applications, and follow the catalog the moment ownership changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_api.costs.read_models import choose_read_model
from finops_assets.referentials.history import APPLICATION, apply_declaration
from finops_core.months import parse_month
from tests.api.auth_fixtures import BILLING_TEAM, PAYMENTS_TEAM, auth_config, bearer
from tests.api.conftest import COST_LINES, CostLine, insert_cost_lines, insert_pricing_views, settled
from tests.api.fake_backstage import FakeBackstage

Client = AsyncTestClient[Litestar]
Key = tuple[str, ...]

# Beside COST_LINES (payments: the payments team's; billing: the billing team's): a second
# application of each team, over several families, domains, sources and both currencies.
# fmt: off
MORE_LINES: list[CostLine] = [
    ("2025-01", "actual", "aws", "payments-api", "compute", "vm", "vm-small", "EUR", "Hours", "30", "3.03"),
    ("2025-01", "actual", "aws", "payments-api", "storage", "disk", "disk-ssd", "EUR", "GB-Months", "12",
     "1.02"),
    ("2025-01", "actual", "gcp", "payments-api", "storage", "disk", "gcs-standard", "USD", "GB-Months", "5",
     "0.10"),
    ("2025-02", "actual", "aws", "payments-api", "compute", "vm", "vm-large", "EUR", "Hours", "2", "0.07"),
    ("2025-03", "actual", "aws", "payments-api", "network", "egress", "egress-gb", "EUR", "GB", "300",
     "0.003"),
    ("2025-01", "actual", "aws", "ledger", "compute", "vm", "vm-large", "EUR", "Hours", "8", "0.40"),
    ("2025-03", "actual", "aws", "ledger", "storage", "disk", "disk-ssd", "EUR", "GB-Months", "9", "0.81"),
    ("2025-01", "budget", "aws", "payments-api", "compute", "vm", "vm-small", "EUR", "Hours", "30", "3.60"),
]
# fmt: on
LINES = [*COST_LINES, *MORE_LINES]
OWNERS = {
    "payments": PAYMENTS_TEAM,
    "payments-api": PAYMENTS_TEAM,
    "billing": BILLING_TEAM,
    "ledger": BILLING_TEAM,
}
PAYMENTS_APPS = frozenset({"payments", "payments-api"})
YEAR = {"from": "2025-01", "to": "2025-03"}
# CostLine fields by name
FIELDS = ("month", "view", "source", "application", "domain", "family", "product", "currency")


def expected(
    lines: Iterable[CostLine], view: str, applications: frozenset[str], keys: Iterable[str]
) -> dict[Key, Decimal | None]:
    """The cost of each group of the view's lines of these applications, added up here; None
    when a line of the group has no price (the API gives no cost then)."""
    sums: dict[Key, Decimal | None] = defaultdict(Decimal)
    for line in lines:
        if line[1] != view or line[3] not in applications:
            continue
        texts = line[:-1]  # the cost, last, is the one field that may be None
        key = tuple(texts[FIELDS.index(name)] for name in (*keys, "currency"))
        so_far, cost = sums[key], line[10]
        sums[key] = None if so_far is None or cost is None else so_far + Decimal(cost)
    return dict(sums)


def answered(body: dict[str, Any], keys: Iterable[str]) -> dict[Key, Decimal | None]:
    return {
        tuple(row[name] for name in (*keys, "currency")): None
        if row["cost"] is None
        else Decimal(row["cost"])
        for row in body["rows"]
    }


def declare_owners(database_url: str, owners: dict[str, str], month: str) -> None:
    """The catalog's own path (finops_assets/referentials/history.py): these owners from month on."""
    rows = [(code, code.title(), owner, None, None, None) for code, owner in sorted(owners.items())]
    with psycopg.connect(database_url) as conn, conn.cursor() as cur:
        apply_declaration(cur, APPLICATION, rows, parse_month(month))


@pytest.fixture
def teams_mart(mart_url: str) -> str:
    insert_pricing_views(mart_url)
    insert_cost_lines(mart_url, LINES)
    declare_owners(mart_url, OWNERS, "2025-01")
    return mart_url


@pytest.fixture
async def teams_client(teams_mart: str, backstage: FakeBackstage) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(teams_mart, api=auth_config(backstage.url))) as client:
        yield client


async def ok(client: Client, path: str, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def user(backstage: FakeBackstage, name: str) -> dict[str, str]:
    return bearer(backstage.token(f"user:default/{name}"))


@pytest.mark.parametrize(
    "group_by", ["month,family", "family", "domain", "month,domain", "source,domain,family", ""]
)
async def test_a_viewers_family_and_domain_reports_are_the_sums_of_its_applications(
    teams_client: Client, backstage: FakeBackstage, group_by: str
) -> None:
    keys = [key for key in group_by.split(",") if key]
    # read from an application roll-up, not cost_by_product: a viewer's rows are chosen by
    # application
    roll_up = "cost_by_application_family" if keys else "cost_by_application"
    assert choose_read_model([*keys, "currency", "application"]).table == roll_up
    pat, fiona = user(backstage, "pat"), user(backstage, "fiona")
    viewer = answered(await ok(teams_client, "/api/v1/costs", pat, group_by=group_by, **YEAR), keys)
    assert viewer == expected(LINES, "actual", PAYMENTS_APPS, keys)
    # the same sums from finance's rows per application and product (cost_by_product), added here
    per_product = await ok(
        teams_client, "/api/v1/costs", fiona, group_by=",".join([*keys, "application", "product"]), **YEAR
    )
    sums: dict[Key, Decimal | None] = defaultdict(Decimal)
    for row in per_product["rows"]:
        if row["application"] in PAYMENTS_APPS:
            key = tuple(row[name] for name in (*keys, "currency"))
            so_far = sums[key]
            sums[key] = None if so_far is None or row["cost"] is None else so_far + Decimal(row["cost"])
    assert viewer == dict(sums)
    # and finance, seeing everything, gets every application's sums
    everyone = answered(await ok(teams_client, "/api/v1/costs", fiona, group_by=group_by, **YEAR), keys)
    assert everyone == expected(LINES, "actual", frozenset(OWNERS), keys)


async def test_a_viewers_comparison_by_domain_is_the_sums_of_its_applications(
    teams_client: Client, backstage: FakeBackstage
) -> None:
    body = await ok(
        teams_client, "/api/v1/costs/compare", user(backstage, "pat"),
        view="actual", against="budget", group_by="domain", **{"from": "2025-01", "to": "2025-01"},
    )  # fmt: skip
    compared = {(row["domain"], row["currency"]): (row["cost"], row["against_cost"]) for row in body["rows"]}
    # January: compute 10.10 + 0.05 + 3.03 against 12.00 + 3.60; storage 1.02 (EUR), 0.10 (USD)
    assert compared == {
        ("compute", "EUR"): ("13.18", "15.60"),
        ("storage", "EUR"): ("1.02", None),
        ("storage", "USD"): ("0.10", None),
    }


async def test_a_viewers_simulated_family_report_is_the_sums_of_its_applications(
    teams_client: Client, backstage: FakeBackstage
) -> None:
    simulation = {
        "code": "sim-vm-up",
        "name": "Virtual machines plus ten percent",
        "base_view": "actual",
        "adjustments": [{"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "10"}],
    }
    created = await teams_client.post(
        "/api/v1/pricing-views/simulations", json=simulation, headers=user(backstage, "fiona")
    )
    assert created.status_code == 201, created.text
    keys = ["month", "family"]
    body = await ok(
        teams_client,
        "/api/v1/costs",
        user(backstage, "pat"),
        view="sim-vm-up",
        group_by="month,family",
        **YEAR,
    )
    base = expected(LINES, "actual", PAYMENTS_APPS, keys)

    def simulated(key: Key, cost: Decimal | None) -> Decimal | None:
        return None if cost is None else cost * Decimal("1.1") if key[1] == "vm" else cost

    assert answered(body, keys) == {key: simulated(key, cost) for key, cost in base.items()}
    # January's virtual machines: (10.10 + 0.05 + 3.03) x 1.1; February's has an unpriced line
    assert answered(body, keys)[("2025-01", "vm", "EUR")] == Decimal("14.498")
    assert answered(body, keys)[("2025-02", "vm", "EUR")] is None


async def test_visible_applications_are_cached_until_the_catalog_changes(
    teams_client: Client, teams_mart: str, backstage: FakeBackstage
) -> None:
    pat = user(backstage, "pat")

    async def seen() -> list[str]:
        body = await ok(teams_client, "/api/v1/costs", pat, group_by="application", **YEAR)
        return sorted({row["application"] for row in body["rows"]})

    assert await seen() == ["payments", "payments-api"]
    # an owner changed behind the catalog's back (its change triggers off) is not seen: the
    # visible applications came from the cache
    with psycopg.connect(teams_mart, autocommit=True) as conn:
        conn.execute("ALTER TABLE finops.dim_application DISABLE TRIGGER USER")
        conn.execute(
            "UPDATE finops.dim_application SET owner = %s WHERE application_code = 'ledger'", [PAYMENTS_TEAM]
        )
        conn.execute("ALTER TABLE finops.dim_application ENABLE TRIGGER USER")
    assert await seen() == ["payments", "payments-api"]
    # the catalog hands billing to the payments team from March (and ledger back to the billing
    # team, as declared): seen on the next request
    declare_owners(teams_mart, {**OWNERS, "billing": PAYMENTS_TEAM}, "2025-03")
    await settled(teams_client, teams_mart)
    assert await seen() == ["billing", "payments", "payments-api"]
    # and takes it back
    declare_owners(teams_mart, OWNERS, "2025-03")
    await settled(teams_client, teams_mart)
    assert await seen() == ["payments", "payments-api"]


def test_expected_sums_by_hand() -> None:
    """The test's own adder against figures added up by hand."""

    def by_domain(view: str) -> dict[Key, Decimal | None]:
        return expected(LINES, view, PAYMENTS_APPS, ["domain"])

    assert by_domain("actual") == {
        # 10.10 + 0.05 + 11.00 + None + 9.09 + 3.03 + 0.07
        ("compute", "EUR"): None,
        ("storage", "EUR"): Decimal("1.02"),
        ("storage", "USD"): Decimal("0.10"),
        ("network", "EUR"): Decimal("0.013"),  # 0.01 + 0.003
    }
    assert by_domain("budget") == {("compute", "EUR"): Decimal("15.60")}
