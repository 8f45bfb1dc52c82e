"""Valuing again only the products whose consumption changed, and rolling up only their
families (finops_assets/mart/valuation.py, docs/design.md section 10), on the worked finance
example (examples/): what it writes is exactly what valuing the whole month writes.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from finops_assets.mart.read_models import refresh_rollups
from finops_assets.mart.valuation import value_month
from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig, load_config
from tests.pipeline import blocked_on_a_lock, mart_snapshot, query

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
WARNINGS = {"mapping_coverage", "price_coverage", "rejected_share"}
"""The checks the example fails by design, as warnings: an unmapped team, an unpriced product,
rows rejected to show their reasons."""
INVENTORY = Path("private-cloud/inventory/vm-inventory-2026-10.csv")


def example(tmp_path: Path) -> PlatformConfig:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return load_config(tmp_path / "examples" / "finops.yaml")


def materialize(url: str, tmp_path: Path, config: PlatformConfig, month: date) -> dict[str, dict[str, Any]]:
    """The month through the real asset graph; each mart step's materialization metadata."""
    result = materialize_month(
        config, month, MartResource(database_url=url, landing_dir=str(tmp_path / "landing"))
    )
    assert result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert [name for name in failed if name not in WARNINGS] == []
    return {
        event.materialization.asset_key.to_user_string(): {
            k: v.value for k, v in event.materialization.metadata.items()
        }
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key.path[0] == "mart"
    }


def read_models(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every read model, its rows in one order whatever order they were written in."""
    return {table: sorted(rows, key=repr) for table, rows in mart_snapshot(url).items()}


def value_whole(
    url: str, tmp_path: Path, config: PlatformConfig, month: date, monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, Any]]:
    """The month landed, valued and rolled up whole, as `finops materialize --reland` asks."""
    with monkeypatch.context() as env:
        env.setenv("FINOPS_RELAND", "1")
        return materialize(url, tmp_path, config, month)


def edit(path: Path, change: Callable[[list[str]], list[str]]) -> None:
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")


def corrected_cost(lines: list[str]) -> list[str]:
    # search-idx-01's October chargeback corrected: 626.40 -> 630.00
    return [line.replace(",24,192,626.40", ",24,192,630.00") for line in lines]


def standard_tier_gone(lines: list[str]) -> list[str]:
    # every standard-tier VM of October decommissioned before the snapshot
    return [line for line in lines if ",standard," not in line.lower()]


def every_chargeback_raised(lines: list[str]) -> list[str]:
    # the October bill re-issued with every VM's chargeback a cent higher, its vCPUs as they were
    raised = [
        re.sub(r",(\d+\.\d\d)$", lambda m: f",{Decimal(m[1]) + Decimal('0.01')}", line) for line in lines
    ]
    assert sum(a != b for a, b in zip(lines, raised, strict=True)) == 12  # "18,40" is rejected anyway
    return raised


def moved_to_search(lines: list[str]) -> list[str]:
    # pay-db-01 was search's all along: the same product, another application
    return [line.replace("pay-db-01,prj-payments-prod", "pay-db-01,prj-search-prod") for line in lines]


@pytest.mark.parametrize(
    ("change", "revalued", "under_rate_cards", "rows"),
    [
        # pc-vcpu-highmem's 3 rows (data-warehouse, payments, search) under actual and
        # actual-rate: its budget-2026 rows, 8, 24 and 16 x 28.00, are kept
        (corrected_cost, 1, 1 - 1, 3 * 2),
        # pc-vcpu-standard has no row left to write in any view
        (standard_tier_gone, 1, 1, 0),
        # pc-vcpu-highmem's 2 rows left (data-warehouse, search) under the three views
        (moved_to_search, 1, 1, 2 * 3),
    ],
    ids=["a cost corrected", "a product gone", "a line moved to another application"],
)
def test_a_changed_delivery_revalues_its_products_alone_exactly_as_a_whole_valuation(
    mart_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[list[str]], list[str]],
    revalued: int,
    under_rate_cards: int,
    rows: int,
) -> None:
    config = example(tmp_path)
    for month in (SEPTEMBER, OCTOBER):
        first = materialize(mart_url, tmp_path, config, month)
        assert first["mart/valuation"]["revalued_products"] is None  # a first valuation is whole
        assert first["mart/valuation"]["valued_whole"] is True
        assert first["mart/valuation"]["why_whole"] == (
            "not valued on this basis before (a first valuation, or views, prices or FX rates changed)"
        )
        assert first["mart/cost_views"]["families"] is None
        assert first["mart/cost_views"]["rebuilt_whole"] is True
    september = [row for row in read_models(mart_url)["cost_by_product"] if row[0] == SEPTEMBER]

    edit(tmp_path / "examples" / INVENTORY, change)
    again = materialize(mart_url, tmp_path, config, OCTOBER)

    assert again["mart/valuation"]["revalued_products"] == revalued
    assert (again["mart/valuation"]["valued_whole"], again["mart/valuation"]["why_whole"]) == (False, "")
    assert again["mart/cost_views"]["rebuilt_whole"] is False
    assert again["mart/valuation"]["rate_card_products"] == under_rate_cards
    assert again["mart/valuation"]["rows"] == rows
    # a cost corrected leaves the family's budget-2026 roll-up rows as they were
    rebuilt = again["mart/cost_views"]["families"], again["mart/cost_views"]["cost_view_families"]
    assert rebuilt == ((["private-compute"], []) if under_rate_cards else ([], ["private-compute"]))
    incremental = read_models(mart_url)
    assert [row for row in incremental["cost_by_product"] if row[0] == SEPTEMBER] == september
    whole = value_whole(mart_url, tmp_path, config, OCTOBER, monkeypatch)
    assert whole["mart/valuation"]["revalued_products"] is None
    assert whole["mart/valuation"]["why_whole"] == "asked for: --reland, FINOPS_RELAND=1 or whole: true"
    assert whole["mart/cost_views"]["families"] is None
    assert read_models(mart_url) == incremental


def test_a_bill_re_issued_with_every_cost_changed_keeps_its_rate_card_rows(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    budget = (
        "SELECT count(*), sum(cost) FROM finops.cost_by_product WHERE month = %s AND pricing_view_code = %s"
    )
    ((budget_rows, budget_cost),) = query(mart_url, budget, OCTOBER, "budget-2026")
    edit(tmp_path / "examples" / INVENTORY, every_chargeback_raised)
    again = materialize(mart_url, tmp_path, config, OCTOBER)

    # both private-cloud products, under actual and actual-rate alone: their 7 rows of the month
    # (standard: payments, search, crm and sandbox; high-memory: payments, search and
    # data-warehouse), their budget-2026 rows kept as they were
    assert again["mart/valuation"]["revalued_products"] == 2
    assert again["mart/valuation"]["rate_card_products"] == 0
    assert again["mart/valuation"]["rows"] == 7 * 2
    assert query(mart_url, budget, OCTOBER, "budget-2026") == [(budget_rows, budget_cost)]
    assert again["mart/cost_views"]["families"] == []
    assert again["mart/cost_views"]["cost_view_families"] == ["private-compute"]
    incremental = read_models(mart_url)
    value_whole(mart_url, tmp_path, config, OCTOBER, monkeypatch)
    assert read_models(mart_url) == incremental


HIGHMEM_OWN_FAMILY_FROM_OCTOBER = (
    "INSERT INTO finops.dim_family (family_code, domain_code, name, valid_from)"
    " VALUES ('private-highmem', 'private-cloud', 'Private cloud high-memory compute', %(october)s)",
    "UPDATE finops.dim_product SET valid_to = %(october)s"
    " WHERE product_code = 'pc-vcpu-highmem' AND valid_to IS NULL",
    "INSERT INTO finops.dim_product (product_code, family_code, name, unit, valid_from)"
    " VALUES ('pc-vcpu-highmem', 'private-highmem', 'vCPU (high-memory tier)', 'vCPU-month', %(october)s)",
)


def test_a_product_moved_to_another_family_rolls_up_both_families(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    # the catalog's history: from October, the high-memory tier is a family of its own
    with psycopg.connect(mart_url) as conn:
        for statement in HIGHMEM_OWN_FAMILY_FROM_OCTOBER:
            conn.execute(statement.encode(), {"october": OCTOBER})
    again = materialize(mart_url, tmp_path, config, OCTOBER)

    assert again["mart/valuation"]["revalued_products"] == 1
    # the family its rows left and the one they entered
    assert again["mart/cost_views"]["families"] == ["private-compute", "private-highmem"]
    # the October inventory's chargebacks: high-memory VMs dwh-etl-01 and -02 208.80 each,
    # pay-db-01 208.80, search-idx-01 626.40; standard ones pay-api-01 73.60 + legacy-pay-01
    # 36.80, search-web-01 36.80 + search-dev-01 36.80
    assert query(
        mart_url,
        "SELECT family_code, application_code, cost FROM finops.cost_by_application_family"
        " WHERE month = %s AND pricing_view_code = 'actual' AND domain_code = 'private-cloud'"
        " AND application_code IN ('data-warehouse', 'payments', 'search') ORDER BY 1, 2",
        OCTOBER,
    ) == [
        ("private-compute", "payments", Decimal("110.4")),
        ("private-compute", "search", Decimal("73.6")),
        ("private-highmem", "data-warehouse", Decimal("417.6")),
        ("private-highmem", "payments", Decimal("208.8")),
        ("private-highmem", "search", Decimal("626.4")),
    ]
    incremental = read_models(mart_url)
    value_whole(mart_url, tmp_path, config, OCTOBER, monkeypatch)
    assert read_models(mart_url) == incremental


def test_a_corrected_cost_moves_its_products_rate_for_every_application(
    mart_url: str, tmp_path: Path
) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    search_month = (
        "SELECT cost FROM finops.cost_by_application"
        " WHERE month = %s AND pricing_view_code = 'actual' AND application_code = 'search'"
    )
    ((before,),) = query(mart_url, search_month, OCTOBER)
    edit(tmp_path / "examples" / INVENTORY, corrected_cost)
    materialize(mart_url, tmp_path, config, OCTOBER)

    highmem = query(
        mart_url,
        "SELECT pricing_view_code, application_code, quantity, cost FROM finops.cost_by_product"
        " WHERE month = %s AND product_code = 'pc-vcpu-highmem' ORDER BY 1, 2",
        OCTOBER,
    )
    # actual-rate: (208.80 + 630.00 + 2 x 208.80) / (8 + 24 + 16) = 26.175 a vCPU-month, for the
    # lines of payments and data-warehouse too, unchanged; budget-2026: 28.00 whatever the cost
    assert highmem == [
        ("actual", "data-warehouse", Decimal("16"), Decimal("417.6")),
        ("actual", "payments", Decimal("8"), Decimal("208.8")),
        ("actual", "search", Decimal("24"), Decimal("630")),
        ("actual-rate", "data-warehouse", Decimal("16"), Decimal("418.8")),
        ("actual-rate", "payments", Decimal("8"), Decimal("209.4")),
        ("actual-rate", "search", Decimal("24"), Decimal("628.2")),
        ("budget-2026", "data-warehouse", Decimal("16"), Decimal("448")),
        ("budget-2026", "payments", Decimal("8"), Decimal("224")),
        ("budget-2026", "search", Decimal("24"), Decimal("672")),
    ]
    # search's month in its roll-up moved by the correction: 630.00 - 626.40
    ((after,),) = query(mart_url, search_month, OCTOBER)
    assert after - before == Decimal("3.60")


def test_a_changed_price_values_the_whole_month(mart_url: str, tmp_path: Path) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    edit(
        tmp_path / "examples" / "pricing" / "budget-2026.yaml",
        lambda lines: [line.replace('unit_price: "28.00"', 'unit_price: "30.00"') for line in lines],
    )
    again = materialize(mart_url, tmp_path, config, OCTOBER)

    assert again["mart/valuation"]["revalued_products"] is None
    assert again["mart/cost_views"]["families"] is None
    # payments' high-memory vCPUs under the budget: 8 x 30.00
    assert query(
        mart_url,
        "SELECT cost FROM finops.cost_by_product WHERE month = %s AND pricing_view_code = 'budget-2026'"
        " AND application_code = 'payments' AND product_code = 'pc-vcpu-highmem'",
        OCTOBER,
    ) == [(Decimal("240"),)]


def test_an_unchanged_month_revalues_nothing_and_rolls_up_nothing(mart_url: str, tmp_path: Path) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    before = read_models(mart_url)
    again = materialize(mart_url, tmp_path, config, OCTOBER)

    assert again["mart/valuation"]["revalued_products"] == 0
    assert (again["mart/cost_views"]["families"], again["mart/cost_views"]["applications"]) == ([], 0)
    assert read_models(mart_url) == before
    assert query(mart_url, "SELECT count(*) FROM finops.revalued_families") == [(0,)]


def in_a_thread(work: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=work)
    thread.start()
    return thread


BUDGET_HIGHMEM = (
    "SELECT application_code, cost FROM finops.cost_by_product WHERE month = %s"
    " AND pricing_view_code = 'budget-2026' AND product_code = 'pc-vcpu-highmem' ORDER BY 1"
)
SET_HIGHMEM_PRICE = (
    "UPDATE finops.unit_price SET unit_price = %s WHERE pricing_view_code = 'budget-2026'"
    " AND product_code = 'pc-vcpu-highmem' RETURNING 1"
)


def test_a_price_committed_during_a_valuation_makes_the_next_one_whole(mart_url: str, tmp_path: Path) -> None:
    """The valuation digests the prices first and reads them last: a price committed between
    is in its rows but not in the digest, so it records none. Recording the first digest, a
    price set back later would match it, and its rows would keep the price of the meantime."""
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    priced = query(mart_url, BUDGET_HIGHMEM, OCTOBER)
    with psycopg.connect(mart_url) as other:
        # holds the valuation between its digest and valued_base.sql (which reads allocated_month)
        other.execute("LOCK TABLE finops.allocated_month IN ACCESS EXCLUSIVE MODE")
        valuing = in_a_thread(lambda: value_month(mart_url, OCTOBER, whole=True))
        blocked_on_a_lock(mart_url, "valued_base")
        other.execute(SET_HIGHMEM_PRICE, [Decimal("30.00")])  # a wrong pricing file applied
        other.commit()
        valuing.join()
    assert query(mart_url, BUDGET_HIGHMEM, OCTOBER) == [
        ("data-warehouse", Decimal("480")), ("payments", Decimal("240")), ("search", Decimal("720"))
    ]  # fmt: skip
    query(mart_url, SET_HIGHMEM_PRICE, Decimal("28.00"))  # and set back

    again = value_month(mart_url, OCTOBER)

    assert again.revalued_products is None
    assert query(mart_url, BUDGET_HIGHMEM, OCTOBER) == priced == [
        ("data-warehouse", Decimal("448")), ("payments", Decimal("224")), ("search", Decimal("672"))
    ]  # fmt: skip


NEWAPP_ROWS = "SELECT count(*) FROM finops.{} WHERE month = %s AND application_code = 'newapp'"


def test_a_valuation_committed_during_a_roll_up_refresh_is_in_every_roll_up_or_in_none(
    mart_url: str, tmp_path: Path
) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    query(mart_url, "UPDATE finops.fact_consumption SET source_cost = source_cost + 1 WHERE month = %s"
                    " AND product_code = 'pc-vcpu-highmem' AND application_code = 'search' RETURNING 1",
          OCTOBER)  # fmt: skip
    assert value_month(mart_url, OCTOBER).revalued_products == 1
    with psycopg.connect(mart_url) as other:
        # holds the refresh at its last roll-up, cost_by_owner
        other.execute("LOCK TABLE finops.cost_by_owner IN ACCESS EXCLUSIVE MODE")
        refreshing = in_a_thread(lambda: refresh_rollups(mart_url, OCTOBER))
        blocked_on_a_lock(mart_url, "cost_by_owner")
        # meanwhile a valuation brings an application into the family being rebuilt
        query(mart_url, "UPDATE finops.fact_consumption SET application_code = 'newapp' WHERE month = %s"
                        " AND product_code = 'pc-vcpu-highmem' AND application_code = 'payments' RETURNING 1",
              OCTOBER)  # fmt: skip
        assert value_month(mart_url, OCTOBER).revalued_products == 1
        other.commit()
        refreshing.join()
    rows = {table: query(mart_url, NEWAPP_ROWS.format(table), OCTOBER)[0][0] for table in ROLLUP_TABLES}
    assert rows == {"cost_by_application_family": 0, "cost_by_application": 0}

    assert refresh_rollups(mart_url, OCTOBER).families == ["private-compute"]  # the valuation's, kept
    rows = {table: query(mart_url, NEWAPP_ROWS.format(table), OCTOBER)[0][0] for table in ROLLUP_TABLES}
    assert rows == {"cost_by_application_family": 3, "cost_by_application": 3}  # one row a view
    whole = read_models(mart_url)
    refresh_rollups(mart_url, OCTOBER, whole=True)
    assert read_models(mart_url) == whole


ROLLUP_TABLES = ("cost_by_application_family", "cost_by_application")


def test_valuations_before_one_refresh_roll_up_every_view_one_rewrote(mart_url: str, tmp_path: Path) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    # a cost corrected: actual and actual-rate of private-compute
    assert query(mart_url, "UPDATE finops.fact_consumption SET source_cost = source_cost + 1 WHERE month = %s"
                           " AND product_code = 'pc-vcpu-highmem' AND application_code = 'search'"
                           " RETURNING 1", OCTOBER) == [(1,)]  # fmt: skip
    assert value_month(mart_url, OCTOBER).rate_card_products == 0
    # then a volume corrected: every view, its budget-2026 too
    assert query(mart_url, "UPDATE finops.fact_consumption SET quantity = quantity + 1 WHERE month = %s"
                           " AND product_code = 'pc-vcpu-standard' AND application_code = 'payments'"
                           " RETURNING 1", OCTOBER) == [(1,)]  # fmt: skip
    assert value_month(mart_url, OCTOBER).rate_card_products == 1

    refreshed = refresh_rollups(mart_url, OCTOBER)

    # rewritten in every view by the second valuation
    assert (refreshed.families, refreshed.cost_view_families) == (["private-compute"], [])
    incremental = read_models(mart_url)
    value_month(mart_url, OCTOBER, whole=True)
    refresh_rollups(mart_url, OCTOBER, whole=True)
    assert read_models(mart_url) == incremental
