"""The migrations that build or reshape data already in a mart: each starts from a database
upgraded to the migration before it, holding rows as the older schema had them, and checks what
the migration made of them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg

from finops_core.migrations import upgrade
from tests.pipeline import query


def valued_month(url: str, month: str, product_rows: str) -> None:
    """A month valued before a migration: its cost_by_product rows (SQL values of (application,
    domain, family, product, unit, quantity, cost, owner)) and the cost_by_family row that marks
    it rolled up."""
    with psycopg.connect(url) as conn:
        for table in ("cost_by_product", "cost_by_family"):
            conn.execute("SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month])
        conn.execute(
            "INSERT INTO finops.cost_by_product (month, pricing_view_code, source, currency,"
            " application_code, domain_code, family_code, product_code, unit, quantity, cost, owner)"
            f" SELECT %s::date, 'actual', 'aws', 'EUR', v.* FROM (VALUES {product_rows}) AS v".encode(),
            [month],
        )
        conn.execute(
            "INSERT INTO finops.cost_by_family (month, pricing_view_code, source, domain_code, family_code,"
            " currency, unit_min, unit_max, quantity, cost, fully_priced)"
            " VALUES (%s, 'actual', 'aws', 'compute', 'vm', 'EUR', 'h', 'h', 16, 3.75, false)",
            [month],
        )


def test_0008_builds_the_owner_roll_ups_from_the_months_already_valued(empty_database_url: str) -> None:
    url = empty_database_url
    assert upgrade(url, target="0007")[-1] == "0007_simulation_adjustment"
    # two applications of team-a and one of team-b on one family; one row unpriced
    valued_month(
        url,
        "2025-01-01",
        "('pay', 'compute', 'vm', 'vm-s', 'h', 10, 1.25, 'team-a'),"
        " ('bill', 'compute', 'vm', 'vm-l', 'h', 5, 2.50, 'team-a'),"
        " ('ops', 'compute', 'vm', 'vm-s', 'h', 1, NULL, 'team-b')",
    )
    assert upgrade(url, target="0008") == ["0008_read_models_for_simulations"]
    with psycopg.connect(url) as conn:
        owners = conn.execute(
            "SELECT owner, quantity, cost, fully_priced FROM finops.cost_by_owner_family ORDER BY owner"
        ).fetchall()
        owner_totals = conn.execute(
            "SELECT owner, quantity, cost, fully_priced FROM finops.cost_by_owner ORDER BY owner"
        ).fetchall()
        keys = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'finops.cost_by_product'::regclass"
            " AND contype = 'p'"
        ).fetchone()
    assert owners == [("team-a", Decimal("15"), Decimal("3.75"), True), ("team-b", Decimal("1"), None, False)]
    assert owner_totals == owners  # one family: the owner totals are the same sums
    assert keys == (0,)


def test_0015_lists_the_units_of_the_roll_ups_already_built(empty_database_url: str) -> None:
    url = empty_database_url
    assert upgrade(url, target="0014")[-1] == "0014_month_publication"
    month = "2025-01-01"
    rollups = ("cost_by_application", "cost_by_owner_family", "cost_by_family", "cost_by_owner")
    with psycopg.connect(url) as conn:
        for table in ("cost_by_product", "cost_by_application_family", *rollups):
            conn.execute("SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month])
        # pay: hours and GB-months; bill: hours and requests; one family, one owner
        conn.execute(
            "INSERT INTO finops.cost_by_product (month, pricing_view_code, source, application_code,"
            " domain_code, family_code, product_code, currency, unit, quantity, cost, owner) VALUES"
            " (%(m)s, 'actual', 'aws', 'pay', 'compute', 'vm', 'vm-s', 'EUR', 'h', 10, 1, 'team-a'),"
            " (%(m)s, 'actual', 'aws', 'pay', 'compute', 'vm', 'disk', 'EUR', 'GB-Mo', 5, 2, 'team-a'),"
            " (%(m)s, 'actual', 'aws', 'bill', 'compute', 'vm', 'vm-s', 'EUR', 'h', 1, 1, 'team-a'),"
            " (%(m)s, 'actual', 'aws', 'bill', 'compute', 'vm', 'api', 'EUR', 'Requests', 7, 1, 'team-a')",
            {"m": month},
        )
        figures = "'EUR', 'GB-Mo', 'h', 0, 5, true"  # unit_min and unit_max of all four lines
        conn.execute(
            "INSERT INTO finops.cost_by_application (month, pricing_view_code, application_code, owner,"
            " currency, unit_min, unit_max, quantity, cost, fully_priced) VALUES"
            " (%(m)s, 'actual', 'pay', 'team-a', 'EUR', 'GB-Mo', 'h', 0, 3, true),"
            " (%(m)s, 'actual', 'bill', 'team-a', 'EUR', 'Requests', 'h', 0, 2, true)",
            {"m": month},
        )
        conn.execute(
            "INSERT INTO finops.cost_by_application_family (month, pricing_view_code, source,"
            " application_code, owner, domain_code, family_code, currency, unit_min, unit_max, quantity,"
            " cost, fully_priced) VALUES"
            " (%(m)s, 'actual', 'aws', 'pay', 'team-a', 'compute', 'vm', 'EUR', 'GB-Mo', 'h', 0, 3, true),"
            " (%(m)s, 'actual', 'aws', 'bill', 'team-a', 'compute', 'vm', 'EUR', 'Requests', 'h', 0, 2,"
            " true)",
            {"m": month},
        )
        conn.execute(
            "INSERT INTO finops.cost_by_owner_family (month, pricing_view_code, source, owner, domain_code,"
            f" family_code, currency, unit_min, unit_max, quantity, cost, fully_priced) VALUES"
            f" (%(m)s, 'actual', 'aws', 'team-a', 'compute', 'vm', {figures})",
            {"m": month},
        )
        conn.execute(
            "INSERT INTO finops.cost_by_family (month, pricing_view_code, source, domain_code, family_code,"
            f" currency, unit_min, unit_max, quantity, cost, fully_priced) VALUES"
            f" (%(m)s, 'actual', 'aws', 'compute', 'vm', {figures})",
            {"m": month},
        )
        conn.execute(
            "INSERT INTO finops.cost_by_owner (month, pricing_view_code, owner, currency, unit_min, unit_max,"
            f" quantity, cost, fully_priced) VALUES (%(m)s, 'actual', 'team-a', {figures})",
            {"m": month},
        )
    assert upgrade(url, target="0015") == ["0015_rollup_units"]
    every_unit = ["GB-Mo", "Requests", "h"]  # byte order: upper case first
    assert query(url, "SELECT application_code, units FROM finops.cost_by_application ORDER BY 1") == [
        ("bill", ["Requests", "h"]),
        ("pay", ["GB-Mo", "h"]),
    ]
    assert query(url, "SELECT application_code, units FROM finops.cost_by_application_family ORDER BY 1") == [
        ("bill", ["Requests", "h"]),
        ("pay", ["GB-Mo", "h"]),
    ]
    for table in rollups[1:]:
        assert query(url, f"SELECT units FROM finops.{table}") == [(every_unit,)], table


def test_0011_builds_the_application_family_roll_up_from_the_months_already_valued(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    assert upgrade(url, target="0010")[-1] == "0010_api_write_audit"
    # pay on two products of one family and one of another; ops unpriced
    valued_month(
        url,
        "2025-01-01",
        "('pay', 'compute', 'vm', 'vm-s', 'h', 10, 1.25, 'team-a'),"
        " ('pay', 'compute', 'vm', 'vm-l', 'h', 5, 2.50, 'team-a'),"
        " ('pay', 'storage', 'disk', 'ssd', 'GB', 7, 0.07, 'team-a'),"
        " ('ops', 'compute', 'vm', 'vm-s', 'h', 1, NULL, 'team-b')",
    )
    assert upgrade(url, target="0011") == ["0011_viewer_read_model_and_data_changes"]
    rows = query(
        url,
        "SELECT application_code, owner, family_code, unit_min, unit_max, quantity, cost, fully_priced"
        " FROM finops.cost_by_application_family ORDER BY 1, 3",
    )
    assert rows == [
        ("ops", "team-b", "vm", "h", "h", Decimal("1"), None, False),
        ("pay", "team-a", "disk", "GB", "GB", Decimal("7"), Decimal("0.07"), True),
        ("pay", "team-a", "vm", "h", "h", Decimal("15"), Decimal("3.75"), True),
    ]


def test_0016_keeps_every_row_of_allocated_consumption_without_the_copy_of_direct_facts(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    assert upgrade(url, target="0015")[-1] == "0015_rollup_units"
    january, february = "2025-01-01", "2025-02-01"
    columns = (
        "month, source, application_code, product_code, currency, unit, quantity, source_cost, origin,"
        " allocation_rule_code, method, weight, total_weight"
    )
    with psycopg.connect(url) as conn:
        for table in ("fact_consumption", "allocated_consumption"):
            for month in (january, february):
                conn.execute(
                    "SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month]
                )
        # January allocated: pay's vm in two regions (one direct row), the apm licence pool spread
        # over pay and ops, the ci pool left unspread; February loaded but never allocated
        conn.execute(
            "INSERT INTO finops.fact_consumption (month, source, application_code, product_code, region_id,"
            " currency, unit, quantity, source_cost, line_count, load_id) VALUES"
            " (%(j)s, 'aws', 'pay', 'vm', 'eu-west-1', 'EUR', 'h', 10.5, 1.25, 3, 1),"
            " (%(j)s, 'aws', 'pay', 'vm', 'eu-west-3', 'EUR', 'h', 2, 0.50, 1, 1),"
            " (%(j)s, 'aws', 'ops', 'vm', '', 'EUR', 'h', 1, 0.10, 1, 1),"
            " (%(j)s, 'tools', 'unallocated', 'apm', '', 'EUR', 'seat', 3, 300, 1, 2),"
            " (%(j)s, 'tools', 'unallocated', 'ci', '', 'EUR', 'min', 7, 70, 1, 2),"
            " (%(f)s, 'aws', 'pay', 'vm', '', 'EUR', 'h', 4, 0.40, 1, 3)",
            {"j": january, "f": february},
        )
        conn.execute(
            f"INSERT INTO finops.allocated_consumption ({columns}) VALUES"
            " (%(j)s, 'aws', 'pay', 'vm', 'EUR', 'h', 12.5, 1.75, 'direct', NULL, NULL, NULL, NULL),"
            " (%(j)s, 'aws', 'ops', 'vm', 'EUR', 'h', 1, 0.10, 'direct', NULL, NULL, NULL, NULL),"
            " (%(j)s, 'tools', 'pay', 'apm', 'EUR', 'seat', 2, 200.00, 'allocated', 'apm-even', 'fixed',"
            " 2, 3),"
            " (%(j)s, 'tools', 'ops', 'apm', 'EUR', 'seat', 1, 100.00, 'allocated', 'apm-even', 'fixed',"
            " 1, 3),"
            " (%(j)s, 'tools', 'unallocated', 'ci', 'EUR', 'min', 7, 70, 'pool', NULL, NULL, NULL, NULL)",
            {"j": january},
        )
        ordered = f"SELECT {columns} FROM finops.allocated_consumption ORDER BY 1, 2, 3, 4"
        before = conn.execute(ordered.encode()).fetchall()
    assert upgrade(url, target="0016") == ["0016_allocated_consumption_view"]
    after = query(url, ordered)
    assert [tuple(map(str, row)) for row in after] == [tuple(map(str, row)) for row in before]
    assert len(after) == 5
    assert query(url, "SELECT month, count(*) FROM finops.allocated_indirect GROUP BY 1") == [
        (date(2025, 1, 1), 3)
    ]
    kind = query(url, "SELECT relkind FROM pg_class WHERE oid = 'finops.allocated_consumption'::regclass")
    assert kind == [("v",)]
