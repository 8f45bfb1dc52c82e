"""No answer ever carries a quantity summed across units, and every group lists its units: every
group_by walked on a mart loaded, through the real asset graph, from a CUR whose services bill
in many units (S3 alone: Requests, GB and GB-Mo)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.costs.services import GROUP_KEYS
from tests.api.conftest import get_ok
from tests.conftest import SAMPLES
from tests.pipeline import query, run_month, source_kind

CUR = SAMPLES / "aws" / "sample-anonymous-aws-export-dataset.csv"
NOVEMBER = {"from": "2023-11", "to": "2023-11"}
# cost_by_product's columns for the API's keys; the periods of November 2023
KEY_VALUES = {
    "month": "'2023-11'",
    "quarter": "'2023-Q4'",
    "year": "'2023'",
    "source": "source",
    "application": "application_code",
    "owner": "owner",
    "domain": "domain_code",
    "family": "family_code",
    "product": "product_code",
    "currency": "currency",
}


@pytest.fixture
def cur_mart(mart_url: str, tmp_path: Path) -> str:
    run_month(
        mart_url, tmp_path, date(2023, 11, 1), source_kind("cur", "aws-cur", CUR, cost_column="unblended")
    )
    return mart_url


async def _all_rows(client: AsyncTestClient[Litestar], path: str, **params: str) -> list[dict[str, Any]]:
    body = await get_ok(client, path, **params)
    rows: list[dict[str, Any]] = body["rows"]
    while "next" in body:
        response = await client.get(body["next"])
        assert response.status_code == 200, response.text
        body = response.json()
        rows.extend(body["rows"])
    return rows


def _units_by_group(mart_url: str, keys: list[str]) -> dict[tuple[str, ...], list[str]]:
    """The units of each group's lines, from cost_by_product's rows, grouped here."""
    columns = ", ".join(KEY_VALUES[key] for key in keys)
    found: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for *group, unit in query(
        mart_url,
        f"SELECT {columns}, unit FROM finops.cost_by_product WHERE pricing_view_code = 'actual'",
    ):
        found[tuple(group)].add(unit)
    return {group: sorted(units) for group, units in found.items()}


@pytest.mark.usefixtures("cur_mart")
async def test_every_group_by_lists_exactly_its_units(
    mart_url: str, client: AsyncTestClient[Litestar]
) -> None:
    units = {unit for (unit,) in query(mart_url, "SELECT DISTINCT unit FROM finops.fact_consumption")}
    assert len(units) > 5  # Hrs, Requests, GB, GB-Mo, ... and USD for the tax lines

    groupings = [list(keys) for size in (1, 2) for keys in combinations(GROUP_KEYS, size)]
    mixed_groups = 0
    for keys in [[], *groupings]:
        rows = await _all_rows(client, "/api/v1/costs", group_by=",".join(keys), **NOVEMBER)
        answered_keys = [*keys, *([] if "currency" in keys else ["currency"])]
        answered = {tuple(row[key] for key in answered_keys): row for row in rows}
        expected = _units_by_group(mart_url, answered_keys)
        assert {group: row["units"] for group, row in answered.items()} == expected, keys
        for row in rows:
            if len(row["units"]) == 1:  # one unit: the group's quantity in it
                assert (row["unit"], row["quantity"] is None) == (row["units"][0], False), (keys, row)
            else:  # several: no quantity, never a sum across them
                assert (row["unit"], row["quantity"]) == (None, None), (keys, row)
                mixed_groups += 1
    assert mixed_groups == 55  # groups of several units over every grouping, on this CUR

    # the whole month: the units of all its lines, no quantity, its cost exact (SOURCES.md)
    (total,) = await _all_rows(client, "/api/v1/costs", group_by="", **NOVEMBER)
    assert total["units"] == sorted(units)
    assert (total["unit"], total["quantity"], total["cost"]) == (None, None, "1.6823086974")


@pytest.mark.usefixtures("cur_mart")
async def test_a_single_unit_group_has_its_quantity(mart_url: str, client: AsyncTestClient[Litestar]) -> None:
    # by product (one unit each), every quantity is there and is the facts' own sum
    rows = await _all_rows(client, "/api/v1/costs", group_by="product", **NOVEMBER)
    expected = query(
        mart_url, "SELECT product_code, unit, sum(quantity) FROM finops.fact_consumption GROUP BY 1, 2"
    )
    assert sorted((r["product"], r["unit"], Decimal(r["quantity"])) for r in rows) == sorted(expected)
    assert all(r["units"] == [r["unit"]] for r in rows)
    # S3 bills in three units, a product each
    s3 = [r for r in rows if r["product"].startswith("aws:amazon-simple-storage-service:")]
    assert [(r["product"], r["units"]) for r in s3] == [
        ("aws:amazon-simple-storage-service:gb", ["GB"]),
        ("aws:amazon-simple-storage-service:gb-mo", ["GB-Mo"]),
        ("aws:amazon-simple-storage-service:requests", ["Requests"]),
    ]


@pytest.mark.usefixtures("cur_mart")
async def test_compare_rows_and_the_export_list_the_units(client: AsyncTestClient[Litestar]) -> None:
    by_family = await _all_rows(client, "/api/v1/costs", group_by="family", **NOVEMBER)
    compared = await _all_rows(
        client, "/api/v1/costs/compare", group_by="family", against="actual", **NOVEMBER
    )
    assert [(r["family"], r["units"]) for r in compared] == [(r["family"], r["units"]) for r in by_family]
    assert all(r["unit"] is None for r in compared if len(r["units"]) > 1)

    response = await client.get("/api/v1/costs/export", params={"group_by": "family", **NOVEMBER})
    assert response.status_code == 200, response.text
    header, *lines = csv.reader(io.StringIO(response.text))
    assert header == ["family", "currency", "unit", "quantity", "units", "cost", "priced"]
    assert [line[4] for line in lines] == [";".join(r["units"]) for r in by_family]
