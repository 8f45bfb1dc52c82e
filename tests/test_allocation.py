"""Allocation of indirect pools and the pricing views, on hand-computed cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from litestar.testing import TestClient

from finops_api.app import create_app
from finops_assets.mart.allocation import allocate_month
from finops_assets.mart.apportion import apportion
from finops_assets.mart.checks import allocation_conservation, price_coverage
from finops_assets.mart.month_partitions import ensure_month_partitions
from finops_assets.mart.valuation import value_month
from finops_assets.referentials.allocation import apply_allocation, read_allocation
from finops_assets.referentials.catalog import apply_catalog, read_catalog
from finops_assets.referentials.pricing import apply_pricing, read_pricing
from tests.api.conftest import OPEN_API
from tests.pipeline import query

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
CATALOG = """
domains:
  - {code: shared-tooling, name: Shared tooling, kind: indirect}
  - {code: hosting, name: Hosting, kind: direct}
families:
  - {code: licences, name: Licences, domain: shared-tooling}
  - {code: ci, name: Continuous integration, domain: shared-tooling}
  - {code: compute, name: Compute, domain: hosting}
products:
  - {code: apm-licence, name: APM licence, family: licences, unit: seat}
  - {code: ide-licence, name: IDE licence, family: licences, unit: seat}
  - {code: ci-minutes, name: CI minutes, family: ci, unit: minute}
  - {code: vm-hours, name: VM hours, family: compute, unit: hour}
"""
# (month, application, product, currency, unit, quantity, cost)
Fact = tuple[date, str, str, str, str, str, str]
FACTS: list[Fact] = [
    (MARCH, "payments", "vm-hours", "EUR", "hour", "100", "10.00"),
    (MARCH, "search", "vm-hours", "EUR", "hour", "50", "8.00"),
    (MARCH, "unallocated", "apm-licence", "EUR", "seat", "100", "10000.00"),  # the pool
    (MARCH, "unallocated", "ide-licence", "EUR", "seat", "1", "10000.00"),
    (MARCH, "unallocated", "ci-minutes", "EUR", "minute", "90", "900.00"),
    (APRIL, "payments", "vm-hours", "EUR", "hour", "100", "10.00"),
    (APRIL, "unallocated", "apm-licence", "EUR", "seat", "100", "10000.00"),
]
RULES = """
allocation_rules:
  - {code: apm-by-team, scope: {product: apm-licence}, method: driver, driver: team_size, scale: 2}
  - {code: licences-even, scope: {family: licences}, method: even,
     applications: [search, payments, billing]}
  - {code: ci-by-compute, scope: {family: ci}, method: proportional, proportional_to: {product: vm-hours}}
"""
KEYS = """driver,month,application,weight
team_size,2025-03,payments,5
team_size,2025-03,search,3
team_size,2025-03,billing,2
team_size,2025-04,payments,1
team_size,2025-04,search,1
team_size,2025-04,billing,2
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def insert_facts(url: str, facts: list[Fact]) -> None:
    for month in {fact[0] for fact in facts}:
        ensure_month_partitions(url, ("fact_consumption",), month)
    with psycopg.connect(url) as conn:
        conn.cursor().executemany(
            "INSERT INTO finops.fact_consumption (month, source, application_code, product_code, currency,"
            " unit, quantity, source_cost, line_count, load_id)"
            " VALUES (%s, 'tools', %s, %s, %s, %s, %s, %s, 1, 0)",
            [
                (m, app, product, cur, unit, Decimal(q), Decimal(c))
                for m, app, product, cur, unit, q, c in facts
            ],
        )


@pytest.fixture
def allocation_mart(mart_url: str, tmp_path: Path) -> str:
    apply_catalog(mart_url, read_catalog(write(tmp_path / "catalog", "catalog.yaml", CATALOG)), MARCH)
    folder = write(tmp_path / "allocation", "rules.yaml", RULES)
    write(folder / "keys", "team_size.csv", KEYS)
    apply_allocation(mart_url, read_allocation(folder))
    insert_facts(mart_url, FACTS)
    return mart_url


def shares(url: str, month: date, product: str) -> list[tuple[str, Decimal, Decimal, str | None]]:
    return query(
        url,
        "SELECT application_code, quantity, source_cost, allocation_rule_code"
        " FROM finops.allocated_consumption WHERE month = %s AND product_code = %s ORDER BY application_code",
        month,
        product,
    )


def test_a_pool_of_10000_is_allocated_50_30_20_by_driver(allocation_mart: str) -> None:
    summary = allocate_month(allocation_mart, MARCH)
    assert (summary.pools, summary.allocated_pools, summary.unallocated_pools) == (3, 3, [])
    assert shares(allocation_mart, MARCH, "apm-licence") == [
        ("billing", Decimal("20.00"), Decimal("2000.00"), "apm-by-team"),
        ("payments", Decimal("50.00"), Decimal("5000.00"), "apm-by-team"),
        ("search", Decimal("30.00"), Decimal("3000.00"), "apm-by-team"),
    ]
    assert allocation_conservation(allocation_mart, MARCH).passed


def test_conservation_names_a_pool_whose_shares_do_not_sum_back_and_an_unallocated_month(
    allocation_mart: str,
) -> None:
    # the check reads the pools' keys alone (the direct rows conserve by construction): a
    # share changed under it and a month never allocated are still caught, key by key
    allocate_month(allocation_mart, MARCH)
    with psycopg.connect(allocation_mart) as conn:
        conn.execute(
            "UPDATE finops.allocated_indirect SET source_cost = source_cost + 0.01"
            " WHERE month = %s AND product_code = 'apm-licence' AND application_code = 'search'",
            [MARCH],
        )
    result = allocation_conservation(allocation_mart, MARCH)
    assert not result.passed
    assert result.metadata["differences"].value == [
        {"source": "tools", "product_code": "apm-licence", "currency": "EUR", "unit": "seat",
         "fact_quantity": "100", "allocated_quantity": "100.00", "fact_cost": "10000.00",
         "allocated_cost": "10000.01"},
    ]  # fmt: skip
    never_allocated = allocation_conservation(allocation_mart, APRIL)
    assert not never_allocated.passed
    differences = never_allocated.metadata["differences"].value
    assert isinstance(differences, list)
    assert [(d["product_code"], d["fact_cost"], d["allocated_cost"]) for d in differences] == [
        ("apm-licence", "10000.00", "None"), ("vm-hours", "10.00", "None"),
    ]  # fmt: skip


def test_an_even_split_over_3_sums_back_to_exactly_10000(allocation_mart: str) -> None:
    allocate_month(allocation_mart, MARCH)
    # 10,000.00 / 3 = 3,333.33 and a third of a cent; the cent left over goes to the first
    # application in code order (all three lose the same in rounding); 1 seat / 3 at 6 decimals
    assert shares(allocation_mart, MARCH, "ide-licence") == [
        ("billing", Decimal("0.333334"), Decimal("3333.34"), "licences-even"),
        ("payments", Decimal("0.333333"), Decimal("3333.33"), "licences-even"),
        ("search", Decimal("0.333333"), Decimal("3333.33"), "licences-even"),
    ]
    (total,) = query(
        allocation_mart,
        "SELECT sum(source_cost) FROM finops.allocated_consumption WHERE product_code = 'ide-licence'",
    )
    assert total == (Decimal("10000.00"),)


def test_proportional_allocation_follows_another_products_quantities(allocation_mart: str) -> None:
    allocate_month(allocation_mart, MARCH)
    # vm-hours: payments 100, search 50 -> 2/3 and 1/3 of 90 minutes and 900.00
    assert shares(allocation_mart, MARCH, "ci-minutes") == [
        ("payments", Decimal("60.000000"), Decimal("600.00"), "ci-by-compute"),
        ("search", Decimal("30.000000"), Decimal("300.00"), "ci-by-compute"),
    ]
    # direct consumption passes through untouched
    assert shares(allocation_mart, MARCH, "vm-hours") == [
        ("payments", Decimal("100"), Decimal("10.00"), None),
        ("search", Decimal("50"), Decimal("8.00"), None),
    ]


def test_a_key_change_in_april_leaves_march_unchanged(allocation_mart: str, tmp_path: Path) -> None:
    allocate_month(allocation_mart, MARCH)
    allocate_month(allocation_mart, APRIL)
    march = shares(allocation_mart, MARCH, "apm-licence")
    assert [row[2] for row in shares(allocation_mart, APRIL, "apm-licence")] == [
        Decimal("5000.00"), Decimal("2500.00"), Decimal("2500.00"),
    ]  # fmt: skip
    # April's keys are corrected: billing 2 -> 6; March is re-computed too, with its own keys
    write(
        tmp_path / "allocation" / "keys",
        "team_size.csv",
        KEYS.replace("2025-04,billing,2", "2025-04,billing,6"),
    )
    apply_allocation(allocation_mart, read_allocation(tmp_path / "allocation"))
    allocate_month(allocation_mart, MARCH)
    allocate_month(allocation_mart, APRIL)
    assert shares(allocation_mart, MARCH, "apm-licence") == march
    assert [row[2] for row in shares(allocation_mart, APRIL, "apm-licence")] == [
        Decimal("7500.00"), Decimal("1250.00"), Decimal("1250.00"),
    ]  # fmt: skip


def test_direct_rows_are_the_facts_of_an_allocated_month_as_the_allocation_classed_them(
    allocation_mart: str, tmp_path: Path
) -> None:
    by_origin = (
        "SELECT origin, product_code, application_code, quantity, source_cost"
        " FROM finops.allocated_consumption WHERE month = %s ORDER BY 1, 2, 3"
    )
    assert query(allocation_mart, by_origin, APRIL) == []  # loaded, never allocated
    allocate_month(allocation_mart, APRIL)
    allocated = [
        ("allocated", "apm-licence", "billing", Decimal("50.00"), Decimal("5000.00")),
        ("allocated", "apm-licence", "payments", Decimal("25.00"), Decimal("2500.00")),
        ("allocated", "apm-licence", "search", Decimal("25.00"), Decimal("2500.00")),
    ]
    assert query(allocation_mart, by_origin, APRIL) == [
        *allocated,
        ("direct", "vm-hours", "payments", Decimal("100"), Decimal("10.00")),
    ]
    # compute turns indirect from April: until April is allocated again its VM hours stay
    # direct (neither dropped nor counted twice), then they are a pool no rule spreads
    catalog = CATALOG.replace("{code: compute, name: Compute, domain: hosting}",
                              "{code: compute, name: Compute, domain: shared-tooling}")  # fmt: skip
    apply_catalog(allocation_mart, read_catalog(write(tmp_path / "catalog2", "catalog.yaml", catalog)), APRIL)
    assert query(allocation_mart, by_origin, APRIL)[-1] == (
        "direct", "vm-hours", "payments", Decimal("100"), Decimal("10.00"),
    )  # fmt: skip
    summary = allocate_month(allocation_mart, APRIL)
    assert summary.unallocated_pools == ["tools/vm-hours/EUR"]
    assert query(allocation_mart, by_origin, APRIL) == [
        *allocated,
        ("pool", "vm-hours", "payments", Decimal("100"), Decimal("10.00")),
    ]
    assert allocation_conservation(allocation_mart, APRIL).passed


def test_a_pool_without_rule_or_keys_stays_as_recorded(allocation_mart: str, tmp_path: Path) -> None:
    write(tmp_path / "allocation", "rules.yaml", RULES.replace("driver: team_size", "driver: headcount"))
    apply_allocation(allocation_mart, read_allocation(tmp_path / "allocation"))
    summary = allocate_month(allocation_mart, MARCH)
    assert summary.unallocated_pools == ["tools/apm-licence/EUR"]  # no headcount keys in March
    assert shares(allocation_mart, MARCH, "apm-licence") == [
        ("unallocated", Decimal("100"), Decimal("10000.00"), None)
    ]
    assert allocation_conservation(allocation_mart, MARCH).passed


PRICING = """
pricing_views:
  - code: budget-2025
    name: Budget 2025
    currency: EUR
    prices:
      - {product: apm-licence, unit_price: "90", currency: EUR, from: 2025-01, to: 2025-12}
      - {product: ide-licence, unit_price: "12000", currency: EUR}
      - {product: vm-hours, unit_price: "0.05", currency: USD, from: 2025-01}
"""
FX = "month,from_currency,to_currency,rate\n2025-03,USD,EUR,0.92\n"


def costs(url: str, view: str, product: str) -> list[tuple[str, Decimal, Decimal | None]]:
    return query(
        url,
        "SELECT application_code, quantity, cost FROM finops.cost_by_product"
        " WHERE month = %s AND pricing_view_code = %s AND product_code = %s ORDER BY application_code",
        MARCH,
        view,
        product,
    )


def test_every_view_values_the_allocated_quantities(allocation_mart: str, tmp_path: Path) -> None:
    write(tmp_path / "pricing", "fx_rates.csv", FX)
    apply_pricing(allocation_mart, read_pricing(write(tmp_path / "pricing", "budget.yaml", PRICING)))
    allocate_month(allocation_mart, MARCH)
    value_month(allocation_mart, MARCH)
    # the pool at the budget price: 100 seats x 90 = 9,000.00, split 50/30/20 exactly
    assert costs(allocation_mart, "budget-2025", "apm-licence") == [
        ("billing", Decimal("20"), Decimal("1800")),
        ("payments", Decimal("50"), Decimal("4500")),
        ("search", Decimal("30"), Decimal("2700")),
    ]
    # a USD price converted at the month's rate, exactly: 100 h x 0.05 x 0.92 = 4.60
    assert costs(allocation_mart, "budget-2025", "vm-hours") == [
        ("payments", Decimal("100"), Decimal("4.6")),
        ("search", Decimal("50"), Decimal("2.3")),
    ]
    # actual-rate: (10.00 + 8.00) / 150 h = 0.12 per hour for everyone
    assert costs(allocation_mart, "actual-rate", "vm-hours") == [
        ("payments", Decimal("100"), Decimal("12")),
        ("search", Decimal("50"), Decimal("6")),
    ]
    # quantities are the same in every view
    views = query(
        allocation_mart,
        "SELECT pricing_view_code, sum(quantity) FROM finops.cost_by_product WHERE month = %s"
        " GROUP BY 1 ORDER BY 1",
        MARCH,
    )
    assert {total for _, total in views} == {Decimal("341")}  # 150 h + 100 + 1 seats + 90 min
    assert [view for view, _ in views] == ["actual", "actual-rate", "budget-2025"]


def test_a_missing_price_or_rate_is_reported_never_zero(allocation_mart: str, tmp_path: Path) -> None:
    apply_pricing(allocation_mart, read_pricing(write(tmp_path / "pricing", "budget.yaml", PRICING)))
    allocate_month(allocation_mart, APRIL)
    value_month(allocation_mart, APRIL)
    april = query(
        allocation_mart,
        "SELECT product_code, sum(cost), bool_and(cost IS NULL) FROM finops.cost_by_product"
        " WHERE month = %s AND pricing_view_code = 'budget-2025' GROUP BY 1 ORDER BY 1",
        APRIL,
    )
    # April has no USD->EUR rate: vm-hours is unpriced (NULL), not 0; the licence is priced
    assert april == [("apm-licence", Decimal("9000"), False), ("vm-hours", None, True)]
    check = price_coverage(allocation_mart, APRIL)
    assert not check.passed
    assert "| budget-2025 | 4 | 1 | vm-hours |" in str(check.metadata["coverage"].value)


def test_apportion_is_exact_at_the_finer_scale() -> None:
    assert apportion(Decimal("10000.00"), [Decimal(1)] * 3, 2) == [
        Decimal("3333.34"),
        Decimal("3333.33"),
        Decimal("3333.33"),
    ]
    # a total finer than the scale is split at its own scale, so nothing is lost
    assert sum(apportion(Decimal("0.0000001"), [Decimal(1), Decimal(2)], 2)) == Decimal("0.0000001")
    assert apportion(Decimal("-1"), [Decimal(1), Decimal(1)], 0) == [Decimal("-1"), Decimal("0")]
    with pytest.raises(ValueError, match="not all 0"):
        apportion(Decimal(1), [Decimal(0)], 2)


def test_explain_says_how_a_share_was_computed(allocation_mart: str, tmp_path: Path) -> None:
    apply_pricing(allocation_mart, read_pricing(write(tmp_path / "pricing", "budget.yaml", PRICING)))
    allocate_month(allocation_mart, MARCH)
    value_month(allocation_mart, MARCH)
    with TestClient(app=create_app(allocation_mart, api=OPEN_API)) as client:
        one = client.get("/api/v1/allocations/explain", params={"application": "payments", "month": "2025-03",
                                                                "product": "apm-licence"})  # fmt: skip
        every = client.get(
            "/api/v1/allocations/explain", params={"application": "payments", "month": "2025-03"}
        )
        nothing = client.get(
            "/api/v1/allocations/explain", params={"application": "nobody", "month": "2025-03"}
        )
        vm_hours = {"application": "search", "month": "2025-03", "product": "vm-hours"}
        direct = client.get("/api/v1/allocations/explain", params=vm_hours)
        missing = client.get("/api/v1/allocations/explain", params={"month": "2025-03"})
    assert one.status_code == 200, one.text
    assert one.json() == {
        "application": "payments",
        "month": "2025-03",
        "rows": [
            {
                "source": "tools", "product": "apm-licence", "unit": "seat", "currency": "EUR",
                "rule": "apm-by-team", "method": "driver", "driver": "team_size",
                "scope_level": "product", "scope_code": "apm-licence",
                "weight": "5", "total_weight": "10", "share": "0.5",
                "pool_quantity": "100", "pool_cost": "10000", "quantity": "50", "cost": "5000",
                "costs": [
                    {"view": "actual", "currency": "EUR", "cost": "5000"},
                    {"view": "actual-rate", "currency": "EUR", "cost": "5000"},
                    {"view": "budget-2025", "currency": "EUR", "cost": "4500"},
                ],
            }
        ],
        "has_cost": True,
    }  # fmt: skip
    # every pool payments has a share of: the APM licence, the IDE licence and CI minutes
    assert [(r["product"], r["method"], r["share"]) for r in every.json()["rows"]] == [
        ("apm-licence", "driver", "0.5"),
        ("ci-minutes", "proportional", "0.6666666667"),
        ("ide-licence", "even", "0.3333333333"),
    ]
    assert nothing.json()["rows"] == [] and nothing.json()["has_cost"] is False  # no cost, not "all direct"
    # search's 50 vm-hours (8.00 EUR) are its own: no share, and a cost, all direct
    assert direct.json()["rows"] == [] and direct.json()["has_cost"] is True
    assert missing.status_code == 400
    assert [p["name"] for p in missing.json()["invalid_params"]] == ["application"]
