"""No answer ever carries a quantity summed across units, and every group lists its units: every
group_by walked on a mart loaded, through the real asset graph, from a CUR whose services bill
in many units (S3 alone: Requests, GB and GB-Mo)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.costs.read_models import GROUP_KEYS
from finops_core.config import SourceConfig
from finops_core.tabular import TabularMapping
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


RACKS = "month,disk_gb,cost\n2023-10,7,0.70\n2023-10,5,0.50\n"
"""October 2023 of a second source: one product in GB (a unit the CUR bills in too), 12 GB."""
TIME_COLUMNS = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}


@pytest.fixture
def two_month_mart(cur_mart: str, tmp_path: Path) -> str:
    """The CUR's November 2023, and an October in one unit: the two months of a compare."""
    (tmp_path / "racks.csv").write_text(RACKS)
    mapping = {
        "month": {"column": "month"},
        "application": {"constant": "unallocated"},
        "product": {"constant": "rack-disk"},
        "quantity": {"column": "disk_gb"},
        "cost": {"column": "cost"},
        "unit": "GB",
        "currency": "USD",
    }
    racks = SourceConfig(
        name="racks",
        kind="tabular",
        path=str(tmp_path / "racks.csv"),
        mapping=msgspec.convert(mapping, TabularMapping),
    )
    cur = source_kind("cur", "aws-cur", CUR, cost_column="unblended")
    run_month(cur_mart, tmp_path / "october", date(2023, 10, 1), cur, racks)
    return cur_mart


def _side_groups(
    mart_url: str, view: str, months: tuple[str, str], shift: int, keys: list[str]
) -> dict[tuple[str, ...], tuple[list[str], Decimal]]:
    """Per group of one side, from cost_by_product's rows, grouped here: its units and its
    quantity summed by hand. The side's months are labelled `shift` months later (an against
    period is labelled with the months it is compared with)."""
    columns = [
        f"to_char(month + make_interval(months => {shift}), '{TIME_COLUMNS[key]}')"
        if key in TIME_COLUMNS
        else KEY_VALUES[key]
        for key in keys
    ]
    found: dict[tuple[str, ...], tuple[set[str], Decimal]] = {}
    for *group, unit, quantity in query(
        mart_url,
        f"SELECT {', '.join([*columns, 'unit', 'quantity'])} FROM finops.cost_by_product"
        " WHERE pricing_view_code = %s AND to_char(month, 'YYYY-MM') BETWEEN %s AND %s",
        view,
        *months,
    ):
        units, total = found.get(tuple(group), (set(), Decimal(0)))
        found[tuple(group)] = (units | {unit}, total + quantity)
    return {group: (sorted(units), total) for group, (units, total) in found.items()}


def _assert_side(row: dict[str, Any], prefix: str, expected: tuple[list[str], Decimal] | None) -> str:
    """One side of a compare row against the hand-made figures; says whether it mixed units."""
    units, total = expected or ([], Decimal(0))
    assert row[f"{prefix}units"] == units, row
    if len(units) == 1:
        assert (row[f"{prefix}unit"], Decimal(row[f"{prefix}quantity"])) == (units[0], total), row
        return "one unit"
    assert (row[f"{prefix}unit"], row[f"{prefix}quantity"]) == (None, None), row
    return "mixed" if units else "absent"


COMPARES = {
    # (view, against, the view's months, the against side's months, the against label shift)
    "previous_month": ({"from": "2023-10", "to": "2023-11", "against_period": "previous_month"},
                       ("actual", "actual", ("2023-10", "2023-11"), ("2023-09", "2023-10"), 1)),
    "actual-rate": ({"from": "2023-11", "to": "2023-11", "against": "actual-rate"},
                    ("actual", "actual-rate", ("2023-11", "2023-11"), ("2023-11", "2023-11"), 0)),
}  # fmt: skip


@pytest.mark.parametrize("compare", COMPARES)
@pytest.mark.usefixtures("two_month_mart")
async def test_each_compare_side_carries_its_own_units(
    mart_url: str, client: AsyncTestClient[Litestar], compare: str
) -> None:
    params, (view, against, view_months, against_months, shift) = COMPARES[compare]
    groupings = [list(keys) for size in (1, 2) for keys in combinations(GROUP_KEYS, size)]
    kinds: Counter[tuple[str, str]] = Counter()
    for keys in [[], *groupings]:
        rows = await _all_rows(client, "/api/v1/costs/compare", group_by=",".join(keys), **params)
        answered_keys = [*keys, *([] if "currency" in keys else ["currency"])]
        sides = (
            _side_groups(mart_url, view, view_months, 0, answered_keys),
            _side_groups(mart_url, against, against_months, shift, answered_keys),
        )
        groups = [tuple(row[key] for key in answered_keys) for row in rows]
        assert sorted(groups) == sorted(sides[0].keys() | sides[1].keys()), keys
        for group, row in zip(groups, rows, strict=True):
            kinds[
                _assert_side(row, "", sides[0].get(group)), _assert_side(row, "against_", sides[1].get(group))
            ] += 1
    if compare == "previous_month":
        # November's dozen units against October's GB alone (labelled November); groups on
        # one side only; never a side mixing units with a quantity
        assert set(kinds) == {
            ("mixed", "one unit"), ("one unit", "one unit"), ("one unit", "absent"), ("mixed", "absent"),
            ("absent", "one unit"),
        }, kinds  # fmt: skip
    else:  # the same lines under two views: the same units on both sides
        assert set(kinds) == {("one unit", "one unit"), ("mixed", "mixed")}, kinds


@pytest.mark.usefixtures("two_month_mart")
async def test_a_compare_row_never_puts_two_units_under_one(client: AsyncTestClient[Litestar]) -> None:
    (row,) = await _all_rows(
        client, "/api/v1/costs/compare", group_by="application", **COMPARES["previous_month"][0]
    )
    # October + November: the CUR's units and the racks' GB, no quantity; September + October:
    # the racks' GB alone, 7 + 5 = 12
    assert (row["unit"], row["quantity"], len(row["units"])) == (None, None, 12)
    assert (row["against_unit"], row["against_quantity"], row["against_units"]) == ("GB", "12", ["GB"])


class _Product(NamedTuple):
    units: frozenset[str]
    quantity: Decimal
    cost: Decimal
    priced: bool


def _product_sides(mart_url: str, month: str, keys: list[str]) -> dict[tuple[str, ...], _Product]:
    """One month's products per group of keys (the product last), from cost_by_product's rows,
    summed here."""
    columns = [KEY_VALUES[key] for key in keys]
    found: dict[tuple[str, ...], _Product] = {}
    for *group, product, unit, quantity, cost in query(
        mart_url,
        f"SELECT {', '.join([*columns, 'product_code', 'unit', 'quantity', 'cost'])}"
        " FROM finops.cost_by_product WHERE pricing_view_code = 'actual' AND to_char(month, 'YYYY-MM') = %s",
        month,
    ):
        kept = found.get((*group, product), _Product(frozenset(), Decimal(0), Decimal(0), True))
        found[(*group, product)] = _Product(
            kept.units | {unit},
            kept.quantity + quantity,
            kept.cost + (cost or 0),
            kept.priced and cost is not None,
        )
    return found


def _expected_variance(
    period: dict[tuple[str, ...], _Product], against: dict[tuple[str, ...], _Product]
) -> dict[tuple[str, ...], dict[str, Decimal] | None]:
    """README.md, "Variance", per group (the keys before the product), by hand."""
    six = Decimal("0.000001")
    pairs: dict[tuple[str, ...], list[tuple[_Product | None, _Product | None]]] = defaultdict(list)
    for key in period.keys() | against.keys():
        pairs[key[:-1]].append((period.get(key), against.get(key)))
    expected: dict[tuple[str, ...], dict[str, Decimal] | None] = {}
    for group, products in pairs.items():
        if not all(side.priced for pair in products for side in pair if side is not None):
            expected[group] = None
            continue
        row = dict.fromkeys(("product_volume", "price", "unsplit", "new", "retired"), Decimal(0))
        comparable: list[tuple[_Product, _Product]] = []
        for now, before in products:
            if now is None and before is not None:
                row["retired"] -= before.cost
            elif before is None and now is not None:
                row["new"] += now.cost
            elif now is not None and before is not None:
                if len(now.units) == 1 and now.units == before.units:
                    comparable.append((now, before))
                    volume = (
                        ((now.quantity - before.quantity) * before.cost / before.quantity).quantize(
                            six, ROUND_HALF_UP
                        )
                        if before.quantity
                        else Decimal(0)
                    )
                    row["product_volume"] += volume
                    row["price"] += now.cost - before.cost - volume
                else:  # no quantity compared across units
                    row["unsplit"] += now.cost - before.cost
        q1 = sum((now.quantity for now, _ in comparable), Decimal(0))
        q0 = sum((before.quantity for _, before in comparable), Decimal(0))
        c0 = sum((before.cost for _, before in comparable), Decimal(0))
        one_unit = len({unit for now, _ in comparable for unit in now.units}) == 1
        row["volume"] = (
            ((q1 - q0) * c0 / q0).quantize(six, ROUND_HALF_UP) if one_unit and q0 else row["product_volume"]
        )
        row["mix"] = row.pop("product_volume") - row["volume"]
        expected[group] = row
    return expected


@pytest.mark.usefixtures("two_month_mart")
async def test_variance_compares_quantities_only_in_one_unit(
    mart_url: str, client: AsyncTestClient[Litestar]
) -> None:
    # November against October (the racks' GB product retired, the CUR's products in one unit
    # each) over every grouping a variance allows: each figure as computed here, by hand
    groupings = [list(keys) for size in (1, 2) for keys in combinations(GROUP_KEYS, size)]
    walked = 0
    for keys in [[], *(keys for keys in groupings if not set(keys) & set(TIME_COLUMNS))]:
        rows = await _all_rows(
            client,
            "/api/v1/costs/variance",
            group_by=",".join(keys),
            against_period="previous_month",
            **NOVEMBER,
        )
        answered_keys = [*keys, *([] if "currency" in keys else ["currency"])]
        by_hand = _expected_variance(
            _product_sides(mart_url, "2023-11", answered_keys),
            _product_sides(mart_url, "2023-10", answered_keys),
        )
        answered = {
            tuple(row[key] for key in answered_keys): {
                name: Decimal(row[name]) for name in ("volume", "mix", "price", "unsplit", "new", "retired")
            }
            if row["priced"]
            else None
            for row in rows
        }
        assert answered == by_hand, keys
        walked += len(rows)
    # 266 rows over the 28 groupings and the whole: 13 families in November, S3's GB-Mo product in
    # `fee`, the family of its largest cost (0.0971016408 of 0.1593991544 USD)
    assert walked == 266
