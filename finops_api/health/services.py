from __future__ import annotations

import asyncio
from typing import Any

import psycopg
from litestar.di import NamedDependency
from psycopg_pool import PoolTimeout

from finops_api.db import Pool, ReadPools
from finops_api.errors import database_unavailable
from finops_api.health.schemas import ReplicaHealth
from finops_core.migrations import latest_migration
from finops_core.sql import sql_text

HEALTH_TIMEOUT = 2.0
"""Seconds to wait for a connection: a probe must answer quickly, and an unreachable database
should read as unhealthy, not as a hung probe."""


class HealthService:
    def __init__(self, pool: Pool, read_pools: ReadPools) -> None:
        self._pool = pool
        self._read_pools = read_pools

    async def schema_version(self) -> str:
        try:
            row = await self._one(self._pool, "api/schema_version.sql")
        except PoolTimeout:
            raise database_unavailable("the database could not be reached") from None
        except psycopg.errors.UndefinedTable:
            raise database_unavailable("the database has no mart schema; run `finops db upgrade`") from None
        if row is None or row[0] is None:
            raise database_unavailable("no migration is applied; run `finops db upgrade`")
        version, needed = str(row[0]), latest_migration()
        if version < needed:  # this code reads tables and columns the mart does not have yet
            raise database_unavailable(
                f"the mart's schema is at {version}; this release needs {needed}: run `finops db upgrade`"
            )
        return version

    async def replicas(self) -> list[ReplicaHealth]:
        """Each standby's replay lag behind the primary's WAL position, read on the primary first.
        An unreachable standby is reported, not an error: the primary and the other standbys
        still serve."""
        if not self._read_pools.on_standbys:
            return []
        position = await self._one(self._pool, "api/primary_wal_position.sql")
        primary_lsn = position[0] if position is not None else None
        return list(
            await asyncio.gather(
                *(
                    self._replica(number, pool, primary_lsn)
                    for number, pool in enumerate(self._read_pools.pools, start=1)
                )
            )
        )

    async def _replica(self, number: int, pool: Pool, primary_lsn: str | None) -> ReplicaHealth:
        if self._read_pools.is_foreign(pool):  # its pool lends no connection to it
            return ReplicaHealth(number, "not_a_standby", None, None)
        try:
            row = await self._one(pool, "api/standby_replay_lag.sql", {"primary_lsn": primary_lsn})
        except (PoolTimeout, psycopg.OperationalError):
            return ReplicaHealth(number, "unavailable", None, None)
        lag_bytes, lag_seconds = row if row is not None else (None, None)
        seconds = round(lag_seconds, 3) if lag_seconds is not None else None
        return ReplicaHealth(number, "ok", lag_bytes, seconds)

    @staticmethod
    async def _one(pool: Pool, query: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        async with pool.connection(timeout=HEALTH_TIMEOUT) as conn:
            return await (await conn.execute(sql_text(query), params)).fetchone()


def provide_health_service(
    db_pool: NamedDependency[Pool], read_pools: NamedDependency[ReadPools]
) -> HealthService:
    return HealthService(db_pool, read_pools)
