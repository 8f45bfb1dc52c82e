"""in_currency: every amount of /costs, /costs/compare, /costs/variance and the export converted
into one currency at its month's FX rate, over tests/api/conftest.py COST_LINES, where billing's
February holds 4.25 EUR of disk-ssd and 0.20 USD of gcs-standard."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_assets.referentials.pricing import apply_pricing, read_pricing
from tests.api.conftest import get_ok, insert_cost_lines, invalid_names, settled
from tests.api.test_simulations import create

Client = AsyncTestClient[Litestar]

pytestmark = pytest.mark.usefixtures("costs_mart")

# USD -> EUR in February only; EUR -> USD in January and February, at different rates, so that a
# month converted at another month's rate shows.
RATES = [
    ("2025-02", "USD", "EUR", "0.9"),
    ("2025-01", "EUR", "USD", "1.1"),
    ("2025-02", "EUR", "USD", "1.2"),
]
BILLING_FEBRUARY = {"group_by": "application", "application": "billing", "from": "2025-02", "to": "2025-02"}


@pytest.fixture
def fx_rates(mart_url: str) -> None:
    with psycopg.connect(mart_url) as conn:
        conn.cursor().executemany(
            "INSERT INTO finops.fx_rate (month, from_currency, to_currency, rate)"
            " VALUES (to_date(%s, 'YYYY-MM'), %s, %s, %s)",
            RATES,
        )


def costs_of(body: dict[str, Any], *keys: str) -> dict[tuple[str, ...], Decimal | None]:
    return {
        tuple(row[key] for key in keys): None if row["cost"] is None else Decimal(row["cost"])
        for row in body["rows"]
    }


@pytest.mark.usefixtures("fx_rates")
async def test_costs_in_one_currency_add_what_was_billed_in_two(client: Client) -> None:
    asked = {"group_by": "application", "from": "2025-02", "to": "2025-02"}
    billed = await get_ok(client, "/api/v1/costs", **asked)
    assert "in_currency" not in billed
    assert costs_of(billed, "application", "currency") == {
        ("billing", "EUR"): Decimal("4.25"),
        ("billing", "USD"): Decimal("0.20"),
        ("payments", "EUR"): None,  # vm-onprem is unpriced
    }
    body = await get_ok(client, "/api/v1/costs", **asked, in_currency="EUR")
    assert (body["in_currency"], body["group_by"]) == ("EUR", ["application", "currency"])
    # 4.25 + 0.20 x 0.9 = 4.43; both in GB-Months: 50 + 10 (quantities are never converted)
    [billing, payments] = body["rows"]
    assert (billing["currency"], Decimal(billing["cost"]), billing["quantity"], billing["unit"]) == (
        "EUR",
        Decimal("4.43"),
        "60",
        "GB-Months",
    )
    assert (payments["currency"], payments["cost"], payments["priced"]) == ("EUR", None, False)


@pytest.mark.usefixtures("fx_rates")
async def test_each_month_at_its_own_rate(client: Client) -> None:
    body = await get_ok(
        client, "/api/v1/costs", group_by="month", application="billing", to="2025-02", in_currency="USD"
    )
    # January 6.25 EUR x 1.1 = 6.875; February 4.25 EUR x 1.2 + 0.20 USD = 5.30
    assert costs_of(body, "month", "currency") == {
        ("2025-01", "USD"): Decimal("6.875"),
        ("2025-02", "USD"): Decimal("5.30"),
    }


@pytest.mark.usefixtures("fx_rates")
async def test_compare_against_the_month_before_converts_each_side_at_its_month(client: Client) -> None:
    body = await get_ok(
        client,
        "/api/v1/costs/compare",
        **BILLING_FEBRUARY,
        against_period="previous_month",
        in_currency="USD",
    )
    assert body["in_currency"] == "USD"
    [row] = body["rows"]
    # 5.30 (February at 1.2) against 6.875 (January at 1.1, not February's rate): -1.575
    assert (row["currency"], Decimal(row["cost"]), Decimal(row["against_cost"])) == (
        "USD",
        Decimal("5.30"),
        Decimal("6.875"),
    )
    assert (Decimal(row["delta"]), row["ratio"]) == (Decimal("-1.575"), "0.770909")


@pytest.mark.usefixtures("fx_rates")
async def test_variance_in_one_currency(client: Client) -> None:
    body = await get_ok(
        client,
        "/api/v1/costs/variance",
        **BILLING_FEBRUARY,
        against_period="previous_month",
        in_currency="USD",
    )
    [row] = body["rows"]
    # vm-small retired (2.00 x 1.1 = 2.20), gcs-standard new (0.20), disk-ssd 50 GB-Months in both
    # months, 4.25 EUR each: 4.675 USD at January's 1.1, 5.10 at February's 1.2: no change of
    # volume or price at January's rates, 0.425 of exchange rates; delta 5.30 - 6.875 = -1.575
    assert {
        key: Decimal(row[key]) for key in ("delta", "volume", "mix", "price", "fx", "new", "retired")
    } == {
        "delta": Decimal("-1.575"),
        "volume": Decimal("0"),
        "mix": Decimal("0"),
        "price": Decimal("0"),
        "fx": Decimal("0.425"),
        "new": Decimal("0.20"),
        "retired": Decimal("-2.20"),
    }


@pytest.mark.usefixtures("fx_rates")
async def test_a_simulation_converted_with_its_price_adjustment(client: Client) -> None:
    await create(
        client,
        {
            "code": "sim-storage-price",
            "name": "Storage at 0.05 a unit",
            "base_view": "actual",
            "adjustments": [
                {"scope": {"level": "application", "code": "billing"}, "kind": "price", "value": "0.05"}
            ],
        },
    )
    body = await get_ok(
        client, "/api/v1/costs", **BILLING_FEBRUARY, view="sim-storage-price", in_currency="EUR"
    )
    # 50 x 0.05 EUR + 10 x 0.05 USD x 0.9 = 2.50 + 0.45
    assert costs_of(body, "application", "currency") == {("billing", "EUR"): Decimal("2.95")}


async def test_a_month_without_a_rate_is_refused_naming_it(client: Client) -> None:
    response = await client.get("/api/v1/costs", params={"group_by": "application", "in_currency": "EUR"})
    assert response.status_code == 400, response.text
    [param] = response.json()["invalid_params"]
    assert param["name"] == "in_currency"
    assert "no FX rate into EUR for USD in 2025-02" in param["reason"]
    # the USD month is outside what is asked: nothing to convert
    for scope in ({"application": "payments"}, {"currency": "EUR"}, {"to": "2025-01"}):
        body = await get_ok(client, "/api/v1/costs", group_by="application", in_currency="EUR", **scope)
        assert body["rows"] and {row["currency"] for row in body["rows"]} == {"EUR"}


@pytest.mark.usefixtures("fx_rates")
async def test_either_side_without_a_rate_is_refused(client: Client) -> None:
    # EUR -> USD is known in January and February, not in March
    assert await invalid_names(
        client, "/api/v1/costs/compare", against_period="previous_month", to="2025-03", in_currency="USD"
    ) == ["in_currency"]
    assert await invalid_names(client, "/api/v1/costs/export", in_currency="USD") == ["in_currency"]
    assert await invalid_names(client, "/api/v1/costs", in_currency="usd") == ["in_currency"]


@pytest.mark.usefixtures("fx_rates")
async def test_the_export_in_one_currency(client: Client) -> None:
    response = await client.get("/api/v1/costs/export", params={**BILLING_FEBRUARY, "in_currency": "EUR"})
    assert response.status_code == 200, response.text
    lines = response.text.splitlines()
    assert lines[0].startswith("application,currency,")
    assert lines[1].startswith("billing,EUR,") and Decimal(lines[1].split(",")[-2]) == Decimal("4.43")


async def test_owner_as_of_today_decides_which_months_need_a_rate(client: Client, mart_url: str) -> None:
    """billing's USD month needs a rate when its owner today is asked for, not its owner then."""
    with psycopg.connect(mart_url) as conn:
        conn.execute(
            "INSERT INTO finops.dim_application (application_code, name, owner, valid_from)"
            " VALUES ('billing', 'Billing', 'group:default/team-b', '2025-01-01'),"
            "        ('payments', 'Payments', 'group:default/team-a', '2025-01-01')"
        )
    for owner, refused in (("group:default/team-b", True), ("group:default/team-a", False)):
        asked = {"owner": owner, "owner_as_of": "current", "in_currency": "EUR", "group_by": "application"}
        response = await client.get("/api/v1/costs", params=asked)
        assert (response.status_code == 400) is refused, response.text
        if refused:
            assert "USD in 2025-02" in response.json()["invalid_params"][0]["reason"]


async def test_a_cost_without_a_price_needs_no_rate(client: Client, mart_url: str) -> None:
    """An unpriced USD row is unpriced converted or not: it does not refuse the request."""
    insert_cost_lines(
        mart_url,
        [
            (
                "2025-04",
                "actual",
                "gcp",
                "search",
                "storage",
                "disk",
                "gcs-standard",
                "USD",
                "GB-Months",
                "5",
                None,
            )
        ],
    )
    body = await get_ok(
        client, "/api/v1/costs", group_by="application", application="search", in_currency="EUR"
    )
    assert [(row["currency"], row["cost"], row["priced"]) for row in body["rows"]] == [("EUR", None, False)]


async def test_a_changed_rate_is_a_new_answer(client: Client, mart_url: str, tmp_path: Path) -> None:
    """The rates count in the data version: a kept answer is not served once its rate changed,
    and writing the same rates again changes nothing (no data change recorded)."""

    def apply(rate: str) -> int:
        folder = tmp_path / "pricing"
        folder.mkdir(exist_ok=True)
        (folder / "fx_rates.csv").write_text(
            f"month,from_currency,to_currency,rate\n2025-02,USD,EUR,{rate}\n"
        )
        apply_pricing(mart_url, read_pricing(folder))
        with psycopg.connect(mart_url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM finops.data_change WHERE table_name = 'fx_rate'"
            ).fetchone()
        assert row is not None
        return int(row[0])

    assert apply("0.9") == 1
    first = await client.get("/api/v1/costs", params={**BILLING_FEBRUARY, "in_currency": "EUR"})
    assert Decimal(first.json()["rows"][0]["cost"]) == Decimal("4.43")
    assert apply("0.90") == 1  # the same rate: kept, nothing recorded, the answer kept
    await settled(client, mart_url)
    again = await client.get("/api/v1/costs", params={**BILLING_FEBRUARY, "in_currency": "EUR"})
    assert again.headers["etag"] == first.headers["etag"]
    assert apply("0.8") == 3  # the old rate deleted, the new one inserted
    await settled(client, mart_url)
    changed = await client.get("/api/v1/costs", params={**BILLING_FEBRUARY, "in_currency": "EUR"})
    assert changed.headers["etag"] != first.headers["etag"]
    # 4.25 + 0.20 x 0.8
    assert Decimal(changed.json()["rows"][0]["cost"]) == Decimal("4.41")


async def test_a_currency_code_with_a_trailing_newline_is_refused(client: Client) -> None:
    for asked in ({}, {"from": "2030-01", "to": "2030-01"}):
        assert await invalid_names(client, "/api/v1/costs", in_currency="EUR\n", **asked) == ["in_currency"]
