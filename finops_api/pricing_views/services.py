from __future__ import annotations

import msgspec
from litestar.di import NamedDependency
from psycopg.rows import dict_row

from finops_api.db import Pool
from finops_api.pricing_views.schemas import PricingView
from finops_core.sql import sql_text


class PricingViewService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def list_views(self) -> list[PricingView]:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/pricing_views.sql"))
            rows = await cur.fetchall()
        return msgspec.convert(rows, list[PricingView])


def provide_pricing_view_service(db_pool: NamedDependency[Pool]) -> PricingViewService:
    return PricingViewService(db_pool)
