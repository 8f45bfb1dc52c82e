from __future__ import annotations

from datetime import date

import msgspec
from litestar.di import NamedDependency
from psycopg.rows import dict_row

from finops_api.allocations.schemas import AllocationShare, ViewCost
from finops_api.db import Pool
from finops_core.sql import sql_text

_VIEW_COSTS = msgspec.json.Decoder(list[ViewCost])


class AllocationService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def explain(self, application: str, month: date, product: str | None) -> list[AllocationShare]:
        params = {"application": application, "month": month, "product": product}
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/allocation_explain.sql"), params)
            rows = await cur.fetchall()
        return [AllocationShare(**{**row, "costs": _VIEW_COSTS.decode(row["costs"])}) for row in rows]

    async def has_cost(self, application: str, month: date, product: str | None) -> bool:
        params = {"application": application, "month": month, "product": product}
        async with self._pool.connection() as conn:
            cur = await conn.execute(sql_text("api/application_has_cost.sql"), params)
            row = await cur.fetchone()
        return bool(row and row[0])


def provide_allocation_service(db_pool: NamedDependency[Pool]) -> AllocationService:
    return AllocationService(db_pool)
