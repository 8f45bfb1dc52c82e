from __future__ import annotations

import psycopg
from litestar.di import NamedDependency
from psycopg_pool import PoolTimeout

from finops_api.db import Pool
from finops_api.errors import database_unavailable
from finops_core.sql import sql_text

HEALTH_TIMEOUT = 2.0
"""Seconds to wait for a connection: a probe must answer quickly, and an unreachable database
should read as unhealthy, not as a hung probe."""


class HealthService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def schema_version(self) -> str:
        try:
            async with self._pool.connection(timeout=HEALTH_TIMEOUT) as conn:
                row = await (await conn.execute(sql_text("api/schema_version.sql"))).fetchone()
        except PoolTimeout:
            raise database_unavailable("the database could not be reached") from None
        except psycopg.errors.UndefinedTable:
            raise database_unavailable("the database has no mart schema; run `finops db upgrade`") from None
        if row is None or row[0] is None:
            raise database_unavailable("no migration is applied; run `finops db upgrade`")
        return str(row[0])


def provide_health_service(db_pool: NamedDependency[Pool]) -> HealthService:
    return HealthService(db_pool)
