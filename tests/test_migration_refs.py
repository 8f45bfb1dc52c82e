"""Migration 0027: the entity refs a mart stored as they were written are lower-cased as the
code now writes them (finops_core/entity_refs.py), and the roll-ups keyed by owner merge the
rows of one owner written in two cases into the row their refresh would give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg

from finops_core.migrations import upgrade
from tests.pipeline import query

MONTH = "2025-01-01"
OWNER = "group:default/team-a"
WRITTEN = "group:default/Team-A"
BY_APPLICATION = ("cost_by_product", "cost_by_application_family", "cost_by_application")
BY_OWNER = ("cost_by_owner_family", "cost_by_owner")
FIGURES = "currency, unit_min, unit_max, units, quantity, cost, fully_priced"


def stored_as_written(conn: psycopg.Connection[Any]) -> None:
    """pay's refs with capitals, bill's lower-cased; team-a's roll-up rows under three spellings."""
    for table in (*BY_APPLICATION, *BY_OWNER):
        conn.execute("SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", MONTH])
    conn.execute(
        "INSERT INTO finops.dim_application (application_code, name, owner, entity_ref) VALUES"
        " ('pay', 'Pay', %s, 'component:Default/Pay'), ('bill', 'Bill', %s, 'component:default/bill'),"
        " ('ops', 'Ops', NULL, NULL)",
        [WRITTEN, OWNER],
    )
    conn.execute(
        "INSERT INTO finops.dim_group (group_ref, name, parent_ref, member_count) VALUES"
        " (%s, 'Team A', 'group:default/Eng', 3), ('group:default/eng', 'Eng', NULL, 0)",
        [WRITTEN],
    )
    conn.execute(
        "INSERT INTO finops.cost_by_product (month, pricing_view_code, source, application_code,"
        " domain_code, family_code, product_code, currency, unit, quantity, cost, owner) VALUES"
        " (%(m)s, 'actual', 'aws', 'pay', 'compute', 'vm', 'vm-s', 'EUR', 'h', 10, 1.25, %(w)s),"
        " (%(m)s, 'actual', 'aws', 'bill', 'compute', 'vm', 'disk', 'EUR', 'GB', 5, NULL, %(o)s)",
        {"m": MONTH, "w": WRITTEN, "o": OWNER},
    )
    pay = "'EUR', 'h', 'h', '{h}', 10, 1.25, true"
    conn.execute(
        "INSERT INTO finops.cost_by_application_family (month, pricing_view_code, source, application_code,"
        f" domain_code, family_code, owner, {FIGURES}) VALUES"
        f" (%s, 'actual', 'aws', 'pay', 'compute', 'vm', %s, {pay})",
        [MONTH, WRITTEN],
    )
    conn.execute(
        "INSERT INTO finops.cost_by_application (month, pricing_view_code, application_code, owner,"
        f" {FIGURES}) VALUES (%s, 'actual', 'pay', %s, {pay})",
        [MONTH, WRITTEN],
    )
    for owner, unit, quantity, cost, priced in [
        (WRITTEN, "h", 10, "1.25", True),
        (OWNER, "GB", 5, None, False),
        ("GROUP:DEFAULT/TEAM-A", "h", 2, "0.5", True),
    ]:
        row = "(%(m)s, 'actual', %(o)s, 'EUR', %(u)s, %(u)s, ARRAY[%(u)s], %(q)s, %(c)s, %(p)s)"
        figures = {"m": MONTH, "o": owner, "u": unit, "q": quantity, "c": cost, "p": priced}
        conn.execute(
            f"INSERT INTO finops.cost_by_owner (month, pricing_view_code, owner, {FIGURES}) VALUES {row}",
            figures,
        )
        conn.execute(
            "INSERT INTO finops.cost_by_owner_family (month, pricing_view_code, owner, source, domain_code,"
            f" family_code, {FIGURES}) SELECT month, pricing_view_code, owner, 'aws', 'compute', 'vm',"
            f" {FIGURES} FROM finops.cost_by_owner WHERE owner = %(o)s",
            figures,
        )


def test_0027_lower_cases_the_refs_already_stored(empty_database_url: str) -> None:
    url = empty_database_url
    assert upgrade(url, target="0026")[-1] == "0026_rollup_views"
    with psycopg.connect(url) as conn:
        stored_as_written(conn)

    assert upgrade(url, target="0027") == ["0027_canonical_refs"]

    assert query(
        url, "SELECT application_code, owner, entity_ref FROM finops.dim_application ORDER BY 1"
    ) == [
        ("bill", OWNER, "component:default/bill"),
        ("ops", None, None),
        ("pay", OWNER, "component:default/pay"),
    ]
    assert query(url, "SELECT group_ref, parent_ref FROM finops.dim_group ORDER BY 1") == [
        ("group:default/eng", None),
        (OWNER, "group:default/eng"),
    ]
    for table in BY_APPLICATION:
        assert query(url, f"SELECT DISTINCT owner FROM finops.{table}") == [(OWNER,)], table
    # 10 h at 1.25 + 5 GB unpriced + 2 h at 0.50: one row of 17 in two units, 1.75, not all priced
    merged = (OWNER, "EUR", "GB", "h", ["GB", "h"], Decimal(17), Decimal("1.75"), False)
    for table in BY_OWNER:
        assert query(url, f"SELECT owner, {FIGURES} FROM finops.{table}") == [merged], table
