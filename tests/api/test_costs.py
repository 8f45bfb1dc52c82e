"""GET /api/v1/costs over hand-picked read-model rows (tests/api/conftest.py COST_LINES)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_api.costs.read_models import choose_read_model
from tests.api.conftest import OPEN_API, get_ok

Client = AsyncTestClient[Litestar]

pytestmark = pytest.mark.usefixtures("costs_mart")


async def costs(client: Client, **params: str) -> dict[str, Any]:
    return await get_ok(client, "/api/v1/costs", **params)


def row(priced: bool = True, units: list[str] | None = None, **fields: str | None) -> dict[str, Any]:
    """A /costs row; units: those of a group mixing them, else the one unit given."""
    cost = fields.pop("cost")
    return {**fields, "units": units or [fields["unit"]], "cost": cost, "priced": priced}


async def test_default_is_actual_by_month_and_application_over_all_months(client: Client) -> None:
    body = await costs(client)
    assert body["view"] == "actual"
    assert (body["from"], body["to"]) == ("2025-01", "2025-03")
    assert body["group_by"] == ["month", "application", "currency"]
    assert body["rows"] == [
        # two units in the group: no quantity, no unit; the cost is still exact
        row(
            month="2025-01",
            application="billing",
            currency="EUR",
            unit=None,
            quantity=None,
            units=["GB-Months", "Hours"],
            cost="6.25",
        ),
        row(
            month="2025-01",
            application="payments",
            currency="EUR",
            unit="Hours",
            quantity="103.5",
            cost="10.15",
        ),
        row(
            month="2025-02",
            application="billing",
            currency="EUR",
            unit="GB-Months",
            quantity="50",
            cost="4.25",
        ),
        # another currency is another row, never added to EUR
        row(
            month="2025-02",
            application="billing",
            currency="USD",
            unit="GB-Months",
            quantity="10",
            cost="0.20",
        ),
        # one unpriced row: cost null (never a partial sum), priced false; the quantity is still known
        row(
            False,
            month="2025-02",
            application="payments",
            currency="EUR",
            unit="Hours",
            quantity="140",
            cost=None,
        ),
        row(
            month="2025-03",
            application="payments",
            currency="EUR",
            unit=None,
            quantity=None,
            units=["GB", "Hours"],
            cost="9.10",
        ),
    ]


async def test_group_by_family_keeps_the_requested_order_and_omits_other_keys(client: Client) -> None:
    body = await costs(client, group_by="domain,family,source", **{"from": "2025-01", "to": "2025-01"})
    assert body["group_by"] == ["domain", "family", "source", "currency"]
    assert body["rows"] == [
        # 10.10 + 0.05 + 2.00 = 12.15; 100 + 3.5 + 20 = 123.5
        row(
            source="aws",
            domain="compute",
            family="vm",
            currency="EUR",
            unit="Hours",
            quantity="123.5",
            cost="12.15",
        ),
        row(
            source="aws",
            domain="storage",
            family="disk",
            currency="EUR",
            unit="GB-Months",
            quantity="50",
            cost="4.25",
        ),
    ]
    assert all(
        set(r) == {"source", "domain", "family", "currency", "unit", "quantity", "units", "cost", "priced"}
        for r in body["rows"]
    )


async def test_group_by_product_with_application_filter_and_range(client: Client) -> None:
    body = await costs(
        client, group_by="product", application="payments", **{"from": "2025-02", "to": "2025-03"}
    )
    assert (body["from"], body["to"]) == ("2025-02", "2025-03")
    assert body["rows"] == [
        row(product="egress-gb", currency="EUR", unit="GB", quantity="1000", cost="0.01"),
        row(False, product="vm-onprem", currency="EUR", unit="Hours", quantity="40", cost=None),
        # 11.00 + 9.09 = 20.09 over February and March; 100 + 90 = 190
        row(product="vm-small", currency="EUR", unit="Hours", quantity="190", cost="20.09"),
    ]


# The same totals by month, answered by each read model in turn: no key but month asks for
# cost_by_family; a filter on every application forces cost_by_application; on every product,
# cost_by_product.
BY_MONTH = [
    # 10.10 + 0.05 + 2.00 + 4.25 = 16.40, over Hours and GB-Months
    row(
        month="2025-01", currency="EUR", unit=None, quantity=None, units=["GB-Months", "Hours"], cost="16.40"
    ),
    row(
        False,
        month="2025-02",
        currency="EUR",
        unit=None,
        quantity=None,
        units=["GB-Months", "Hours"],
        cost=None,
    ),
    row(month="2025-02", currency="USD", unit="GB-Months", quantity="10", cost="0.20"),
    row(month="2025-03", currency="EUR", unit=None, quantity=None, units=["GB", "Hours"], cost="9.10"),
]


@pytest.mark.parametrize(
    ("filters", "expected_model"),
    [
        ({}, "cost_by_family"),
        ({"application": "payments,billing"}, "cost_by_application"),
        ({"product": "vm-small,vm-large,vm-onprem,disk-ssd,gcs-standard,egress-gb"}, "cost_by_product"),
    ],
)
async def test_every_read_model_gives_the_same_totals(
    client: Client, filters: dict[str, str], expected_model: str
) -> None:
    assert choose_read_model(["month", "currency", *filters]).table == expected_model
    body = await costs(client, group_by="month", **filters)
    assert body["rows"] == BY_MONTH


def test_read_model_choice() -> None:
    assert choose_read_model(["month", "application", "currency"]).table == "cost_by_application"
    assert choose_read_model(["currency"]).table == "cost_by_family"
    assert choose_read_model(["source", "domain", "family"]).table == "cost_by_family"
    assert choose_read_model(["source", "application"]).table == "cost_by_application_family"
    assert choose_read_model(["application", "family"]).table == "cost_by_application_family"
    assert choose_read_model(["application", "domain", "owner"]).table == "cost_by_application_family"
    assert choose_read_model(["family", "product"]).table == "cost_by_product"
    assert choose_read_model(["month", "owner"]).table == "cost_by_owner"
    assert choose_read_model(["owner", "family"]).table == "cost_by_owner_family"
    assert choose_read_model(["owner", "product"]).table == "cost_by_product"
    with pytest.raises(ValueError, match="team"):
        choose_read_model(["team"])


async def test_filters_take_comma_separated_lists(client: Client) -> None:
    body = await costs(client, group_by="source", source="gcp, onprem")
    assert body["rows"] == [
        row(source="gcp", currency="USD", unit="GB-Months", quantity="10", cost="0.20"),
        row(False, source="onprem", currency="EUR", unit="Hours", quantity="40", cost=None),
    ]


async def test_filter_on_currency_and_domain(client: Client) -> None:
    body = await costs(client, group_by="application", currency="EUR", domain="storage")
    # disk-ssd in January and February: 4.25 + 4.25, 50 + 50
    assert body["rows"] == [
        row(application="billing", currency="EUR", unit="GB-Months", quantity="100", cost="8.50"),
    ]


async def test_empty_group_by_gives_one_row_per_currency(client: Client) -> None:
    body = await costs(client, group_by="")
    assert body["group_by"] == ["currency"]
    assert body["rows"] == [
        row(False, currency="EUR", unit=None, quantity=None, units=["GB", "GB-Months", "Hours"], cost=None),
        row(currency="USD", unit="GB-Months", quantity="10", cost="0.20"),
    ]


async def test_explicit_currency_key_keeps_its_place_in_the_order(client: Client) -> None:
    body = await costs(client, group_by="currency,month", **{"from": "2025-02", "to": "2025-03"})
    assert body["group_by"] == ["currency", "month"]
    assert [(r["currency"], r["month"]) for r in body["rows"]] == [
        ("EUR", "2025-02"),
        ("EUR", "2025-03"),
        ("USD", "2025-02"),
    ]


async def test_another_view_is_valued_apart_with_its_own_default_range(client: Client) -> None:
    body = await costs(client, view="budget", group_by="application")
    assert (body["view"], body["from"], body["to"]) == ("budget", "2025-01", "2025-01")
    assert body["rows"] == [
        row(application="payments", currency="EUR", unit="Hours", quantity="100", cost="12.00"),
    ]


async def test_a_known_view_without_data_answers_no_rows(client: Client, mart_url: str) -> None:
    with psycopg.connect(mart_url) as conn:
        conn.execute(
            "INSERT INTO finops.pricing_view (pricing_view_code, name, kind)"
            " VALUES ('forecast', 'Forecast', 'derived')"
        )
    body = await costs(client, view="forecast")
    assert (body["from"], body["to"], body["rows"]) == (None, None, [])


async def test_a_simulation_without_adjustments_is_its_base_view(client: Client) -> None:
    body = await costs(client, view="whatif", group_by="application")
    # whatif is based on budget: budget's months and figures
    assert (body["view"], body["from"], body["to"]) == ("whatif", "2025-01", "2025-01")
    assert body["rows"] == [
        row(application="payments", currency="EUR", unit="Hours", quantity="100", cost="12.00"),
    ]


async def test_only_from_defaults_to_the_last_month(client: Client) -> None:
    body = await costs(client, group_by="month", currency="USD", **{"from": "2025-02"})
    assert (body["from"], body["to"]) == ("2025-02", "2025-03")
    assert [r["month"] for r in body["rows"]] == ["2025-02"]


async def test_range_outside_the_data_answers_no_rows(client: Client) -> None:
    body = await costs(client, **{"from": "2024-01", "to": "2024-12"})
    assert body["rows"] == []


async def test_tiny_amounts_are_plain_decimal_strings(mart_url: str) -> None:
    """OCI bills carry costs like 6.266090E-12: they must not come back in E-notation."""
    with psycopg.connect(mart_url) as conn:
        conn.execute("SELECT finops.ensure_month_partition('finops.cost_by_product', '2025-01-01')")
        conn.execute(
            "INSERT INTO finops.cost_by_product VALUES"
            " ('2025-01-01', 'actual', 'oci', 'app', 'd', 'f', 'p', 'USD', 'GB', 0.0000001, 6.266090E-12),"
            " ('2025-01-01', 'actual', 'oci', 'app', 'd', 'f', 'q', 'USD', 'GB', 0.00000005, 0.00000005)"
        )
    async with AsyncTestClient(app=create_app(mart_url, api=OPEN_API)) as client:
        response = await client.get("/api/v1/costs", params={"group_by": "product", "source": "oci"})
    assert response.status_code == 200
    assert [(r["quantity"], r["cost"]) for r in response.json()["rows"]] == [
        ("0.0000001", "0.000000000006266090"),
        ("0.00000005", "0.00000005"),
    ]


async def test_sort_by_cost_gives_the_top_n_page_by_page(client: Client) -> None:
    # EUR by month and application: payments 10.15 (Jan), 9.10 (Mar), unpriced (Feb); billing
    # 6.25 (Jan), 4.25 (Feb)
    params = {"group_by": "month,application", "currency": "EUR", "sort": "cost_desc", "limit": "2"}
    body = await costs(client, **params)
    seen = [[(r["month"], r["application"], r["cost"]) for r in body["rows"]]]
    while "next" in body:
        response = await client.get(body["next"])  # the link carries the query
        body = response.json()
        seen.append([(r["month"], r["application"], r["cost"]) for r in body["rows"]])
    assert seen == [
        [("2025-01", "payments", "10.15"), ("2025-03", "payments", "9.10")],
        [("2025-01", "billing", "6.25"), ("2025-02", "billing", "4.25")],
        [("2025-02", "payments", None)],  # unpriced: last
    ]
    # the default stays the keys' order
    by_keys = await costs(
        client, group_by="application", currency="EUR", **{"from": "2025-01", "to": "2025-01"}
    )
    assert [r["application"] for r in by_keys["rows"]] == ["billing", "payments"]
    bad = await client.get("/api/v1/costs", params={"sort": "cost"})
    assert bad.status_code == 400
    assert [p["name"] for p in bad.json()["invalid_params"]] == ["sort"]
