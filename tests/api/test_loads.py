from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from psycopg.types.json import Jsonb

from finops_assets.sources.delivery import DeliveryFailed
from tests.pipeline import focus_source, run_month
from tests.test_month_loads import line, write_csv
from tests.test_tabular_filters import BILLS, write_bills
from tests.test_tabular_filters import source as filtered_source

Client = AsyncTestClient[Litestar]

RUN_ID = "4f1c2a9e-6b7d-4e0a-9c3b-2d8e5f7a1b60"


@pytest.fixture
def loads_mart(mart_url: str) -> str:
    # (source, month, read, loaded, rejected, cost column, source_cost, rejected_cost, started at)
    audits = [
        (
            "aws",
            "2025-01-01",
            10,
            9,
            1,
            "EffectiveCost",
            {"USD": "12.34"},
            {"USD": "0.01"},
            "2025-02-02 08:00Z",
        ),
        (
            "aws",
            "2025-02-01",
            5,
            5,
            0,
            "EffectiveCost",
            {"USD": "7.00", "EUR": "1.5"},
            {},
            "2025-03-02 08:00Z",
        ),
        # a JSON number, not a string: must still come out exact
        ("gcp", "2025-02-01", 3, 3, 0, "BilledCost", {"EUR": 0.1}, {}, "2025-03-03 08:00Z"),
    ]
    with psycopg.connect(mart_url) as conn:
        for source, month, read, loaded, rejected, column, cost, rejected_cost, started in audits:
            conn.execute(
                "INSERT INTO finops.load_audit (source, month, rows_read, rows_loaded, rows_rejected, files,"
                " cost_column, source_cost, rejected_cost, started_at, finished_at)"
                ' VALUES (%s, %s, %s, %s, %s, \'[{"path": "bill.csv"}]\', %s, %s, %s, %s,'
                " %s::timestamptz + interval '90 seconds')",
                [
                    source,
                    month,
                    read,
                    loaded,
                    rejected,
                    column,
                    Jsonb(cost),
                    Jsonb(rejected_cost),
                    started,
                    started,
                ],
            )
        conn.execute(  # the Dagster run that recorded it (migration 0028)
            "UPDATE finops.load_audit SET run_id = %s WHERE source = 'aws' AND month = '2025-01-01'", [RUN_ID]
        )
    return mart_url


@pytest.mark.usefixtures("loads_mart")
async def test_all_loads_newest_first(client: Client) -> None:
    response = await client.get("/api/v1/loads")
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert [(r["source"], r["month"]) for r in rows] == [
        ("gcp", "2025-02"),
        ("aws", "2025-02"),
        ("aws", "2025-01"),
    ]
    oldest = rows[-1]
    assert oldest == {
        "load_id": oldest["load_id"],
        "source": "aws",
        "month": "2025-01",
        "rows_read": 10,
        "rows_loaded": 9,
        "rows_rejected": 1,
        "rows_filtered": 0,
        "delivered": True,
        "cost_column": "EffectiveCost",
        "source_cost": {"USD": "12.34"},
        "rejected_cost": {"USD": "0.01"},
        "filtered_cost": {},
        "started_at": "2025-02-02T08:00:00Z",
        "finished_at": "2025-02-02T08:01:30Z",
        "status": "loaded",
        "reason": None,
        "run_id": RUN_ID,
    }
    assert datetime.fromisoformat(oldest["finished_at"]) > datetime.fromisoformat(oldest["started_at"])


@pytest.mark.usefixtures("loads_mart")
async def test_loads_of_one_month(client: Client) -> None:
    response = await client.get("/api/v1/loads", params={"month": "2025-02"})
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert [(r["source"], r["source_cost"]) for r in rows] == [
        ("gcp", {"EUR": "0.1"}),
        ("aws", {"USD": "7.00", "EUR": "1.5"}),
    ]


@pytest.mark.usefixtures("loads_mart")
async def test_loads_of_a_month_without_loads(client: Client) -> None:
    response = await client.get("/api/v1/loads", params={"month": "2024-12"})
    assert response.status_code == 200
    assert response.json() == {"rows": []}


async def test_a_month_no_file_holds_is_not_delivered_unlike_a_month_that_cost_nothing(
    client: Client, mart_url: str, tmp_path: Path
) -> None:
    """Materialized for real: 2025-01 has a file whose costs sum to 0, 2025-02 has no file."""
    write_csv(tmp_path / "aws" / "bill.csv", [line(date(2025, 1, 1), "0.00"), line(date(2025, 1, 1), "0")])
    source = focus_source("aws", tmp_path / "aws")
    for month in (date(2025, 1, 1), date(2025, 2, 1)):
        run_month(mart_url, tmp_path / "landing", month, source)

    response = await client.get("/api/v1/loads")
    rows = response.json()["rows"]
    assert [(r["month"], r["rows_read"], r["source_cost"], r["delivered"]) for r in rows] == [
        ("2025-02", 0, {}, False),
        ("2025-01", 2, {"EUR": "0"}, True),  # two lines that cost nothing
    ]

    # a damaged file: the attempt failed before its files were known, which is no "no delivery"
    (tmp_path / "aws" / "broken.parquet").write_bytes(b"PAR1 cut short")
    with pytest.raises(DeliveryFailed):
        run_month(mart_url, tmp_path / "landing", date(2025, 1, 1), source)
    failed = (await client.get("/api/v1/loads", params={"month": "2025-01"})).json()["rows"][0]
    assert (failed["status"], failed["delivered"]) == ("failed", None)
    assert failed["reason"].startswith(f"{tmp_path / 'aws' / 'broken.parquet'}: ")


async def test_a_load_shows_the_rows_its_filters_kept_out(
    client: Client, mart_url: str, tmp_path: Path
) -> None:
    """A tabular source with row filters, materialized for real (tests/test_tabular_filters.py)."""
    write_bills(tmp_path / "bills" / "jan.csv", BILLS)
    run_month(mart_url, tmp_path / "landing", date(2025, 1, 1), filtered_source(tmp_path / "bills"))

    (row,) = (await client.get("/api/v1/loads")).json()["rows"]
    assert {k: row[k] for k in ("rows_read", "rows_loaded", "rows_rejected", "rows_filtered")} == {
        "rows_read": 9,
        "rows_loaded": 3,
        "rows_rejected": 1,
        "rows_filtered": 5,
    }
    # 34.99 EUR = 17.50 in the mart + 1.25 rejected + 16.24 filtered; 7.40 USD = 0.40 + 7.00
    assert (row["source_cost"], row["rejected_cost"], row["filtered_cost"]) == (
        {"EUR": "34.99", "USD": "7.4"},
        {"EUR": "1.25"},
        {"EUR": "16.24", "USD": "7"},
    )
