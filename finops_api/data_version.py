"""The mart's data version: what the cost reads' ETags and the API's caches are keyed on
(api/data_version.sql). Read once per request, before anything it stands for: a change that
commits after it makes the next request's version differ, never a cache keep stale data."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from finops_api.db import Pool
from finops_core.sql import sql_text

_STATE_KEY = "finops_data_version"


async def data_version(connection: ASGIConnection[Any, Any, Any, Any], pool: Pool) -> str:
    """Read once per request, from the first pool asked: a cost read asks its read pool first
    (finops_api/caching.py), so with read replicas the ETag, the answer cache and the cache of
    visible applications are all keyed on the version of the standby whose rows are served
    (a change of ownership reaches a viewer once that standby has replayed it)."""
    state = connection.scope["state"]
    if _STATE_KEY not in state:
        async with pool.connection() as conn, conn.cursor() as cur:
            await cur.execute(sql_text("api/data_version.sql"))
            row = await cur.fetchone()
        state[_STATE_KEY] = str(row[0]) if row is not None else ""
    version: str = state[_STATE_KEY]
    return version
