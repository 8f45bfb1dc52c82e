"""No answer ever carries a quantity summed across units: every group_by walked on a mart
loaded, through the real asset graph, from a CUR whose services bill in many units (S3 alone:
Requests, GB and GB-Mo)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import combinations
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.costs.services import GROUP_KEYS
from tests.api.conftest import get_ok
from tests.conftest import SAMPLES
from tests.pipeline import query, run_month, source_kind

CUR = SAMPLES / "aws" / "sample-anonymous-aws-export-dataset.csv"


async def test_every_group_by_on_a_mixed_unit_mart(
    mart_url: str, tmp_path: Path, client: AsyncTestClient[Litestar]
) -> None:
    run_month(
        mart_url, tmp_path, date(2023, 11, 1), source_kind("cur", "aws-cur", CUR, cost_column="unblended")
    )
    units = {unit for (unit,) in query(mart_url, "SELECT DISTINCT unit FROM finops.fact_consumption")}
    assert len(units) > 5  # Hrs, Requests, GB, GB-Mo, ... and USD for the tax lines

    groupings = [",".join(keys) for size in (1, 2) for keys in combinations(GROUP_KEYS, size)]
    for group_by in ["", *groupings]:
        body = await get_ok(
            client, "/api/v1/costs", group_by=group_by, **{"from": "2023-11", "to": "2023-11"}
        )
        for row in body["rows"]:
            # a quantity only with its one unit; a group of several units has neither
            assert (row["unit"] is None) == (row["quantity"] is None), (group_by, row)
            assert row["unit"] is None or row["unit"] in units, (group_by, row)

    # by product (one unit each), every quantity is there and is the facts' own sum
    body = await get_ok(client, "/api/v1/costs", group_by="product", **{"from": "2023-11", "to": "2023-11"})
    expected = dict(
        query(mart_url, "SELECT product_code, sum(quantity) FROM finops.fact_consumption GROUP BY 1")
    )
    assert {r["product"]: Decimal(r["quantity"]) for r in body["rows"]} == expected
    # the whole month mixes units: its quantity is null, its cost exact (SOURCES.md)
    (total,) = (await get_ok(client, "/api/v1/costs", group_by="", **{"from": "2023-11", "to": "2023-11"}))[
        "rows"
    ]
    assert (total["unit"], total["quantity"], total["cost"]) == (None, None, "1.6823086974")
