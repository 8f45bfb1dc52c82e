"""GET /api/v1/costs/export: the rows of /costs, unpaged, as CSV or Parquet (COST_LINES)."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.costs import export
from tests.api.auth_fixtures import VIEWER_TOKEN, bearer
from tests.api.conftest import invalid_names

Client = AsyncTestClient[Litestar]
EXPORT = "/api/v1/costs/export"
# January and February by application: billing's two units leave its quantity empty and are
# listed; February's unpriced on-premises hours leave payments unpriced
CSV = (
    "month,application,currency,unit,quantity,units,cost,priced\n"
    "2025-01,billing,EUR,,,GB-Months;Hours,6.25,true\n"
    "2025-01,payments,EUR,Hours,103.5,Hours,10.15,true\n"
    "2025-02,billing,EUR,GB-Months,50,GB-Months,4.25,true\n"
    "2025-02,billing,USD,GB-Months,10,GB-Months,0.20,true\n"
    "2025-02,payments,EUR,Hours,140,Hours,,false\n"
)
PARAMS = {"group_by": "month,application", "from": "2025-01", "to": "2025-02"}


@pytest.mark.usefixtures("costs_mart")
async def test_csv_export(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "BATCH_ROWS", 2)  # several batches, as a large export has
    response = await client.get(EXPORT, params=PARAMS)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="costs-actual.csv"'
    assert response.text == CSV
    # the same rows as /costs
    rows = (await client.get("/api/v1/costs", params=PARAMS)).json()["rows"]
    assert len(rows) == CSV.count("\n") - 1


@pytest.mark.usefixtures("costs_mart")
async def test_parquet_export(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "BATCH_ROWS", 2)
    response = await client.get(EXPORT, params={**PARAMS, "format": "parquet"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.column_names == [
        "month",
        "application",
        "currency",
        "unit",
        "quantity",
        "units",
        "cost",
        "priced",
    ]
    assert table.num_rows == 5
    assert table.column("units").to_pylist()[:2] == [["GB-Months", "Hours"], ["Hours"]]
    assert table.column("cost").to_pylist() == ["6.25", "10.15", "4.25", "0.20", None]
    assert table.column("priced").to_pylist() == [True, True, True, True, False]
    assert pq.ParquetFile(io.BytesIO(response.content)).metadata.num_row_groups == 3  # one per batch


@pytest.mark.usefixtures("costs_mart")
async def test_an_empty_range_exports_the_header(client: Client) -> None:
    response = await client.get(
        EXPORT, params={"view": "budget", "group_by": "application", "from": "2030-01"}
    )
    assert response.text == "application,currency,unit,quantity,units,cost,priced\n"


@pytest.mark.usefixtures("costs_mart")
async def test_export_errors_name_the_parameter(client: Client) -> None:
    assert await invalid_names(client, EXPORT, format="xml") == ["format"]
    assert await invalid_names(client, EXPORT, view="nope") == ["view"]


async def test_a_viewer_exports_its_own_rows(auth_client: Client) -> None:
    response = await auth_client.get(EXPORT, params=PARAMS, headers=bearer(VIEWER_TOKEN))
    assert response.text == "".join(line + "\n" for line in CSV.splitlines() if "billing" not in line)
