"""The FOCUS connector on the real sample files, against the totals in samples/SOURCES.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.pipeline import actual_total, fact_total, focus_source, latest_audit, query, run_month

FOCUS_SAMPLE = SAMPLES / "focus" / "focus_sample.csv"
SEPTEMBER, OCTOBER = date(2024, 9, 1), date(2024, 10, 1)


@pytest.mark.parametrize(
    ("cost_column", "month", "rows", "total"),
    [
        ("BilledCost", SEPTEMBER, 999, Decimal("20.28022672899")),
        ("BilledCost", OCTOBER, 1, Decimal("0.24000000000")),
        ("EffectiveCost", SEPTEMBER, 999, Decimal("14.97651418586")),
        ("EffectiveCost", OCTOBER, 1, Decimal("0")),
    ],
)
def test_focus_sample_totals_per_billing_month(
    mart_url: str, tmp_path: Path, cost_column: str, month: date, rows: int, total: Decimal
) -> None:
    source = focus_source("sample", FOCUS_SAMPLE, cost_column=cost_column, application_tag="application")
    run_month(mart_url, tmp_path, month, source)

    assert latest_audit(mart_url, "sample", month) == (rows, rows, 0)
    assert fact_total(mart_url, "sample", month) == {"USD": total}
    assert actual_total(mart_url, "sample", month) == {"USD": total}
    (app_total,) = query(
        mart_url,
        "SELECT sum(cost) FROM finops.cost_by_application WHERE month = %s AND pricing_view_code = 'actual'",
        month,
    )[0]
    assert app_total == total


def test_focus_sample_applications_products_and_monetary_lines(mart_url: str, tmp_path: Path) -> None:
    source = focus_source("sample", FOCUS_SAMPLE, cost_column="EffectiveCost", application_tag="application")
    run_month(mart_url, tmp_path, SEPTEMBER, source)

    # 660 rows carry the `application` tag, one of them the October row: 999 - 659 = 340
    # September rows go to `unallocated` (counted with Python's csv and json modules)
    (untagged,) = query(
        mart_url,
        "SELECT sum(line_count) FROM finops.fact_consumption WHERE application_code = 'unallocated'",
    )[0]
    assert untagged == 340
    # The AWS credit (PricingQuantity 0, EffectiveCost -3.0) is a monetary product: unit USD,
    # quantity = the amount, so Cost = Quantity x 1.
    credit = query(
        mart_url,
        "SELECT unit, quantity, source_cost FROM finops.fact_consumption"
        " WHERE product_code = 'aws:credit:usd'",
    )
    assert credit == [("USD", Decimal("-3"), Decimal("-3"))]
    (services,) = query(
        mart_url,
        "SELECT count(DISTINCT split_part(product_code, ':', 2)) FROM finops.fact_consumption"
        " WHERE NOT product_code LIKE '%%:credit:%%'",
    )[0]
    assert services == 33  # the 33 distinct ServiceName of SOURCES.md


SPEC_EXAMPLES = {
    "commitment_discount_purchase_scenario_1": (1, "8760.00", "0.00"),
    "commitment_discount_purchase_scenario_2": (3, "3.00", "0.00"),
    "commitment_discount_purchase_scenario_3": (4, "4381.50", "0.00"),
    "commitment_discount_usage_scenario_1": (1, "0.00", "1.00"),
    "commitment_discount_usage_scenario_2": (1, "0.00", "1.00"),
    "commitment_discount_usage_scenario_3": (2, "0.00", "1.00"),
    "commitment_discount_usage_scenario_4": (2, "0.50", "1.50"),
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource": (
        3,
        "2.75",
        "2.75",
    ),
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources": (
        3,
        "2.00",
        "2.00",
    ),
    "one_hundred_percent_utilization_without_commitment_discount_flexibility": (2, "1.50", "1.50"),
    "zero_percent_utilization_without_commitment_discount_flexibility": (3, "3.50", "3.50"),
}


def test_every_spec_example_loads_with_its_totals(mart_url: str, tmp_path: Path) -> None:
    month = date(2023, 1, 1)
    sources = []
    names = {}
    for index, stem in enumerate(sorted(SPEC_EXAMPLES)):
        path = SAMPLES / "focus" / "spec_examples" / f"{stem}.csv"
        for column in ("BilledCost", "EffectiveCost"):
            name = f"spec{index}_{column.lower()}"
            names[name] = (stem, column)
            sources.append(focus_source(name, path, cost_column=column, default_currency="USD"))
    run_month(mart_url, tmp_path, month, *sources)

    for name, (stem, column) in names.items():
        rows, billed, effective = SPEC_EXAMPLES[stem]
        expected = Decimal(billed if column == "BilledCost" else effective)
        read, loaded, rejected = latest_audit(mart_url, name, month)
        assert (read, read) == (rows, loaded + rejected), stem
        assert rejected == 0, stem
        assert sum(fact_total(mart_url, name, month).values(), Decimal(0)) == expected, (stem, column)
