"""GET /api/v1/costs/export: the rows of /costs, every one, streamed as CSV or Parquet from a
server-side cursor, a batch at a time, so that memory stays flat whatever the row count."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import QueryParameter
from litestar.response import Stream

from finops_api.auth.visibility import Visibility
from finops_api.caching import revalidate
from finops_api.costs.dependencies import (
    COST_DEPENDENCIES,
    AsOf,
    From,
    GroupBy,
    InCurrency,
    To,
    View,
    cost_request,
)
from finops_api.costs.services import DEFAULT_GROUP_BY, CostService
from finops_api.costs.sides import Statement
from finops_api.costs.statements import compose_cost_query
from finops_api.db import Pool
from finops_api.errors import problem_responses
from finops_api.publication.services import PublicationService

BATCH_ROWS = 5_000
"""Rows fetched, encoded and sent at a time: the export's memory is a few batches, not the rows."""
FIGURES = ("unit", "quantity", "units", "cost", "priced")
UNITS_SEPARATOR = ";"
"""Between a row's units in a CSV cell (Parquet has a list)."""
MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
ExportFormat = Literal["csv", "parquet"]
STALE_HEADER = "FinOps-Stale-Months"


async def _batches(pool: Pool, statement: Statement | None) -> AsyncIterator[list[tuple[object, ...]]]:
    """The statement's rows, a batch at a time; none when there is no statement (no month)."""
    if statement is None:
        return
    # a named (server-side) cursor needs a transaction; the pool's sessions are read-only anyway
    async with pool.connection() as conn, conn.transaction(), conn.cursor(name="cost_export") as cur:
        await cur.execute(*statement)
        while rows := await cur.fetchmany(BATCH_ROWS):
            yield rows


def _csv_cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return UNITS_SEPARATOR.join(value)
    return value


async def csv_stream(
    batches: AsyncIterator[list[tuple[object, ...]]], columns: Sequence[str]
) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    async for rows in batches:
        writer.writerows([_csv_cell(value) for value in row] for row in rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # only the header: no rows at all
        yield buffer.getvalue().encode()


class _Chunks(io.RawIOBase):
    """A write-only file whose bytes are taken away as they come (ParquetWriter only appends and
    asks tell() for the offsets it records in the footer)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        taken, self._parts = b"".join(self._parts), []
        return taken


async def parquet_stream(
    batches: AsyncIterator[list[tuple[object, ...]]], columns: Sequence[str]
) -> AsyncIterator[bytes]:
    # amounts stay decimal text, as in the JSON answers: exact, whatever their scale
    types = {"priced": pa.bool_(), "units": pa.list_(pa.string())}
    schema = pa.schema([(name, types.get(name, pa.string())) for name in columns])
    sink = _Chunks()
    with pq.ParquetWriter(sink, schema) as writer:
        async for rows in batches:
            writer.write_table(
                pa.Table.from_pylist([dict(zip(columns, row, strict=True)) for row in rows], schema)
            )
            yield sink.take()
    yield sink.take()


@dataclass
class _ExportOperation(Operation):
    """The OpenAPI operation of the export: its 200 is CSV or Parquet, not JSON."""

    def __post_init__(self) -> None:
        if self.responses is not None:
            self.responses["200"] = OpenAPIResponse(
                description="The rows, as CSV (a header line first) or Parquet",
                content={
                    MEDIA_TYPES["csv"]: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                    MEDIA_TYPES["parquet"]: OpenAPIMediaType(
                        schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                    ),
                },
            )


class CostExportController(Controller):
    path = "/costs/export"
    tags = ("costs",)
    guards = (revalidate,)

    @get(
        "/",
        dependencies=COST_DEPENDENCIES,
        operation_id="exportCosts",
        operation_class=_ExportOperation,
        summary="Every row of GET /api/v1/costs, streamed as CSV or Parquet",
        description=(
            "The same parameters and rows as /costs, unpaged, streamed in constant memory. Amounts "
            "are exact decimal text in both formats; priced is a boolean; units is a list in "
            "Parquet, the units joined by ';' in CSV. Months whose layers disagree (a run stopped "
            "between its steps) are named in the FinOps-Stale-Months header (YYYY-MM, "
            "comma-separated), absent when there is none."
        ),
        responses=problem_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    )
    async def export_costs(
        self,
        cost_service: NamedDependency[CostService],
        cost_pool: NamedDependency[Pool],
        cost_filters: NamedDependency[dict[str, list[str]]],
        visibility: NamedDependency[Visibility],
        publication_service: NamedDependency[PublicationService],
        format: Annotated[ExportFormat, QueryParameter(description="csv or parquet.")] = "csv",
        view: View = "actual",
        from_: From = None,
        to: To = None,
        group_by: GroupBy = DEFAULT_GROUP_BY,
        owner_as_of: AsOf = "month",
        in_currency: InCurrency = None,
    ) -> Stream:
        asked = await cost_request(
            cost_service, cost_filters, visibility, view, from_, to, group_by, owner_as_of, in_currency
        )
        columns = [*asked.keys, *FIGURES]
        statement = compose_cost_query(asked.query, asked.side) if asked.side is not None else None
        batches = _batches(cost_pool, statement)
        stream = csv_stream(batches, columns) if format == "csv" else parquet_stream(batches, columns)
        filename = f"costs-{view}.{format}"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        if asked.side is not None and (stale := await publication_service.stale_months_read([asked.side])):
            headers[STALE_HEADER] = ",".join(month.month for month in stale)
        return Stream(stream, media_type=MEDIA_TYPES[format], headers=headers)
