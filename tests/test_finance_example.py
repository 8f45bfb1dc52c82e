"""The worked finance example of the README (examples/): a rate card, an FX rate and a licence
pool allocated by team size, materialized month by month through the real asset graph and read
back through the API. Every figure is computed by hand in examples/README.md."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient

from finops_api.app import create_app
from finops_assets.mart.checks import mapping_coverage
from finops_core.config import load_config
from tests.pipeline import query, run_config_month

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MONTHS = (date(2026, 9, 1), date(2026, 10, 1))


@pytest.fixture
def finance_mart(mart_url: str, tmp_path: Path) -> str:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    config = load_config(tmp_path / "examples" / "finops.yaml")
    for month in MONTHS:
        checks = run_config_month(mart_url, tmp_path / "landing", month, config)
        assert {"mart/allocation:allocation_conservation", "mart/valuation:price_coverage"} <= set(checks)
    return mart_url


def costs(client: TestClient[Any], **params: str) -> list[tuple[str, ...]]:
    response = client.get("/api/v1/costs", params={"group_by": "month,application", **params})
    assert response.status_code == 200, response.text
    return [(r["month"], r["application"], r["cost"]) for r in response.json()["rows"]]


def test_payments_under_actual_and_budget(finance_mart: str) -> None:
    # the API as `finops serve` builds it on examples/finops.yaml (the README's commands)
    api = load_config(EXAMPLES / "finops.yaml").api
    assert api is not None and api.auth is not None and api.auth.mode == "none"
    with TestClient(app=create_app(finance_mart, api=api)) as client:
        actual = costs(client, view="actual", application="payments")
        budget = costs(client, view="budget-2026", application="payments")
        explain = client.get(
            "/api/v1/allocations/explain", params={"application": "payments", "month": "2026-10"}
        ).json()
    # September: VMs 184.00 + 208.80, observability 0 (no cost column), licence 5/10 x 10,000.00
    # October: VMs 110.40 + 208.80, licence 4/10 x 10,000.00
    assert actual == [("2026-09", "payments", "5392.8"), ("2026-10", "payments", "4319.2")]
    # September: 10 x 20 + 8 x 28 + 412.5 GB x 0.10 USD x 0.90 + 38.25 x 0.25 + 120 x 0.30 + 50 x 95
    # October:    6 x 20 + 8 x 28 + 455 GB x 0.10 USD x 0.92  + 40.75 x 0.25 + 131.2 x 0.30 + 40 x 95
    assert budget == [("2026-09", "payments", "5256.6875"), ("2026-10", "payments", "4235.4075")]
    (share,) = explain["rows"]
    assert (share["rule"], share["weight"], share["total_weight"], share["quantity"], share["cost"]) == (
        "apm-by-team-size", "4", "10", "40", "4000",
    )  # fmt: skip


def test_the_licence_pool_is_spread_to_the_cent(finance_mart: str) -> None:
    shares = query(
        finance_mart,
        "SELECT month, application_code, quantity, source_cost FROM finops.allocated_consumption"
        " WHERE product_code = 'apm-licence' ORDER BY month, application_code",
    )
    assert [(m.month, app, str(q), str(c)) for m, app, q, c in shares] == [
        (9, "crm", "20.00", "2000.00"),
        (9, "payments", "50.00", "5000.00"),
        (9, "search", "30.00", "3000.00"),
        (10, "crm", "20.00", "2000.00"),
        (10, "payments", "40.00", "4000.00"),
        (10, "search", "40.00", "4000.00"),
    ]
    by_view = query(
        finance_mart,
        "SELECT pricing_view_code, sum(quantity), sum(cost) FROM finops.cost_by_product"
        " WHERE product_code = 'apm-licence' AND month = %s GROUP BY 1 ORDER BY 1",
        MONTHS[1],
    )
    assert [(view, str(q), str(c)) for view, q, c in by_view] == [
        ("actual", "100", "10000"), ("actual-rate", "100", "10000"), ("budget-2026", "100", "9500"),
    ]  # fmt: skip


def test_the_licence_invoice_naming_no_team_counts_as_mapped_once_a_rule_spreads_it(
    finance_mart: str,
) -> None:
    # 10,000.00 EUR a month under `unallocated` (the invoice names no team), all of it spread by
    # apm-by-team-size: nothing is nobody's, so the check passes where it warned before
    coverage = mapping_coverage(finance_mart, "licences", MONTHS[1], 0.9)
    assert coverage.passed
    assert "| EUR | 0 | 10000 | 0 | 0 | 1 | 0 | 1 |" in str(coverage.metadata["coverage"].value)
    removed = "UPDATE finops.allocation_rule SET deleted_at = now() WHERE rule_code = 'apm-by-team-size'"
    with psycopg.connect(finance_mart) as conn:  # without its rule the pool is nobody's
        conn.execute(removed)
    coverage = mapping_coverage(finance_mart, "licences", MONTHS[1], 0.9)
    assert not coverage.passed
    assert coverage.description == "mapped share under 0.9 in EUR 0"
    assert "| EUR | 0 | 0 | 10000 | 0 | 0 | 1 | 0 |" in str(coverage.metadata["coverage"].value)
