from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import msgspec
from litestar.di import NamedDependency
from psycopg.rows import dict_row

from finops_api.db import Pool
from finops_api.mapping.schemas import SourceCoverage
from finops_core.sql import sql_text
from finops_core.vocabulary import UNALLOCATED


class MappingService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def coverage(self, month: date, applications: Sequence[str] | None) -> list[SourceCoverage]:
        """applications: only their costs (a viewer's); None: every cost."""
        visible = list(applications) if applications is not None else None
        params = {"month": month, "unallocated": UNALLOCATED, "visible": visible}
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/mapping_coverage.sql"), params)
            rows = await cur.fetchall()
        return msgspec.convert(rows, list[SourceCoverage])


def provide_mapping_service(cost_pool: NamedDependency[Pool]) -> MappingService:
    return MappingService(cost_pool)
