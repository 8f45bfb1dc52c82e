from __future__ import annotations

from datetime import date

import msgspec
from litestar.di import NamedDependency
from psycopg import sql
from psycopg.rows import dict_row

from finops_api.db import Pool
from finops_api.loads.schemas import Load, RejectedRow
from finops_api.pagination import Page
from finops_core.decimals import TOTALS, plain_text
from finops_core.sql import sql_text

_RAW_ROW = msgspec.json.Decoder(dict[str, str | None])


def _amounts(totals_json: str | bytes) -> dict[str, str]:
    return {currency: plain_text(total) for currency, total in TOTALS.decode(totals_json).items()}


class LoadService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def list_loads(self, month: date | None) -> list[Load]:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/loads.sql"), {"month": month})
            rows = await cur.fetchall()
        return [
            Load(
                **{
                    **row,
                    "source_cost": _amounts(row["source_cost"]),
                    "rejected_cost": _amounts(row["rejected_cost"]),
                    "filtered_cost": _amounts(row["filtered_cost"]),
                }
            )
            for row in rows
        ]

    async def rejected_rows(self, load_id: int, page: Page) -> list[RejectedRow] | None:
        """The page's rows and the one past it (Page.cut); None when no load has that id."""
        statement = sql.SQL(sql_text("api/rejected_rows.sql")).format(page=page.sql())
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(statement, {"load_id": load_id})
            rows = await cur.fetchall()
        if not rows:
            return None
        return [
            RejectedRow(
                file=row["file"],
                line_number=row["line_number"],
                column_name=row["column_name"],
                reason=row["reason"],
                raw_row=_RAW_ROW.decode(row["raw_row"]),
            )
            for row in rows
            if row["file"] is not None  # the one row of a load without rejected rows
        ]


def provide_load_service(db_pool: NamedDependency[Pool]) -> LoadService:
    return LoadService(db_pool)
