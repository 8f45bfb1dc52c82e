"""The allocation rules' and the rate cards' files: what they refuse, naming the entry, a
pricing view removed from them, and the codes they name that the mart never knew."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from finops_assets.mart.allocation import allocate_month
from finops_assets.mart.checks import price_coverage
from finops_assets.mart.valuation import value_month
from finops_assets.referentials.allocation import apply_allocation, read_allocation
from finops_assets.referentials.pricing import apply_pricing, read_pricing
from finops_core.config import ConfigError
from tests.pipeline import query
from tests.test_allocation import FX, MARCH, PRICING, RULES, write
from tests.test_allocation import allocation_mart as allocation_mart  # the fixture


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{code: x, scope: {product: a, family: b}, method: even}", "scope: give exactly one of product"),
        ("{code: x, scope: {product: a}, method: driver}", "driver: a driver rule names its driver"),
        (
            "{code: x, scope: {product: a}, method: fixed, shares: {a: '60', b: '30'}}",
            "sum to 100 (they sum to 90)",
        ),
        ("{code: x, scope: {product: a}, method: proportional}", "proportional_to: name a product"),
        (
            "{code: x, scope: {product: a}, method: even, from: 2025-06, to: 2025-01}",
            "to: 2025-01 is before from",
        ),
    ],
)
def test_invalid_rules_are_refused_naming_the_rule(tmp_path: Path, rule: str, message: str) -> None:
    folder = write(tmp_path / "allocation", "rules.yaml", f"allocation_rules:\n  - {rule}\n")
    with pytest.raises(ConfigError, match=r"rules\.yaml: allocation_rules\[0\]") as error:
        read_allocation(folder)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        (
            "[{product: p, unit_price: '1', currency: EUR, from: 2025-01, to: 2025-06},"
            " {product: p, unit_price: '2', currency: EUR, from: 2025-06}]",
            "two prices of 'p' overlap from 2025-06",
        ),
        ("[{product: p, unit_price: '-1', currency: EUR}]", "prices[0].unit_price: -1 must be a number >= 0"),
        (
            "[{product: p, unit_price: '1', currency: euro}]",
            "prices[0].currency: 'euro' is not an ISO 4217 code",
        ),
        (
            "[{product: p, unit_price: '1', currency: EUR, from: 2025-13}]",
            "prices[0].from: '2025-13' is not a month",
        ),
    ],
)
def test_invalid_rate_cards_are_refused_naming_the_entry(tmp_path: Path, prices: str, message: str) -> None:
    text = f"pricing_views:\n  - {{code: budget, name: B, currency: EUR, prices: {prices}}}\n"
    with pytest.raises(ConfigError, match=r"budget\.yaml: pricing_views\[0\]") as error:
        read_pricing(write(tmp_path / "pricing", "budget.yaml", text))
    assert message in str(error.value)


def test_a_rate_card_cannot_take_a_reserved_or_taken_code(mart_url: str, tmp_path: Path) -> None:
    folder = write(
        tmp_path / "pricing",
        "views.yaml",
        "pricing_views:\n  - {code: actual-rate, name: X, currency: EUR}\n",
    )
    with pytest.raises(ConfigError, match="not actual or actual-rate"):
        read_pricing(folder)
    with psycopg.connect(mart_url) as conn:
        conn.execute(
            "INSERT INTO finops.pricing_view (pricing_view_code, name, kind, base_view)"
            " VALUES ('whatif', 'What if', 'simulation', 'actual')"
        )
    write(folder, "views.yaml", "pricing_views:\n  - {code: whatif, name: X, currency: EUR}\n")
    with pytest.raises(ConfigError, match="whatif exist already and were not created by the pricing files"):
        apply_pricing(mart_url, read_pricing(folder))


def test_a_view_removed_from_the_files_is_soft_deleted(mart_url: str, tmp_path: Path) -> None:
    folder = write(tmp_path / "pricing", "budget.yaml", PRICING)
    apply_pricing(mart_url, read_pricing(folder))
    write(folder, "budget.yaml", "pricing_views: []\n")
    apply_pricing(mart_url, read_pricing(folder))
    rows = query(
        mart_url,
        "SELECT deleted_at IS NOT NULL FROM finops.pricing_view WHERE pricing_view_code = 'budget-2025'",
    )
    assert rows == [(True,)]
    assert query(mart_url, "SELECT count(*) FROM finops.unit_price") == [(0,)]


def test_a_rule_naming_a_code_the_mart_never_knew_is_named(allocation_mart: str, tmp_path: Path) -> None:
    """A typo in a rule's scope: the pool meant is left to another rule or unallocated, and the
    allocation's summary names the rule; a code the catalog declares is not named."""
    typo = RULES.replace("{product: apm-licence}", "{product: apm-license}").replace(
        "{family: ci}", "{domain: shared-tools}"
    )
    apply_allocation(allocation_mart, read_allocation(write(tmp_path / "allocation", "rules.yaml", typo)))
    summary = allocate_month(allocation_mart, MARCH)
    assert summary.unknown_scopes == [
        "apm-by-team: product 'apm-license'",
        "ci-by-compute: domain 'shared-tools'",
    ]
    # the two licences by licences-even (3 applications each); ci-minutes then has no rule
    assert summary.summary() == (
        "2 of 3 pools allocated in 6 shares; left unallocated: tools/ci-minutes/EUR; rules naming codes the "
        "mart does not know: apm-by-team: product 'apm-license', ci-by-compute: domain 'shared-tools'"
    )


def test_a_price_of_a_product_the_mart_never_knew_is_reported(allocation_mart: str, tmp_path: Path) -> None:
    """A typo in a price file: the product meant stays unpriced, the code priced is named."""
    write(tmp_path / "pricing", "fx_rates.csv", FX)
    typo = PRICING.replace("{product: vm-hours,", "{product: vm-hour,")
    apply_pricing(allocation_mart, read_pricing(write(tmp_path / "pricing", "budget.yaml", typo)))
    allocate_month(allocation_mart, MARCH)
    value_month(allocation_mart, MARCH)
    check = price_coverage(allocation_mart, MARCH)
    assert not check.passed
    # March's rows: vm-hours 2, apm-licence 3 (team size), ide-licence 3 (even), ci-minutes 2
    # (proportional to vm-hours); unpriced: ci-minutes (no price) and vm-hours (the typo)
    assert check.description == (
        "budget-2025: 4 of 10 rows unpriced (first: ci-minutes, vm-hours), "
        "prices of products the mart does not know: vm-hour"
    )
    # every product priced, and one not consumed yet: listed, no warning (a budget prices ahead)
    ahead = (
        PRICING
        + "      - {product: ci-minutes, unit_price: '0.01', currency: EUR}\n"
        + ("      - {product: gpu-hours, unit_price: '2', currency: EUR}\n")
    )
    apply_pricing(allocation_mart, read_pricing(write(tmp_path / "pricing", "budget.yaml", ahead)))
    value_month(allocation_mart, MARCH)
    check = price_coverage(allocation_mart, MARCH)
    assert (check.passed, check.description) == (True, None)
    assert "| budget-2025 | 10 | 0 |  | gpu-hours |" in str(check.metadata["coverage"].value)
