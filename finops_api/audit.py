"""The API's write audit (finops.api_write_audit): who changed what, when, from what to what."""

from __future__ import annotations

from typing import Any

import msgspec
from psycopg import AsyncCursor

from finops_api.auth.principal import Principal
from finops_core.sql import sql_text


async def record_write(
    cur: AsyncCursor[Any],
    principal: Principal,
    action: str,
    target: str,
    before: msgspec.Struct | None,
    after: msgspec.Struct | None,
) -> None:
    """Called inside the write's transaction: the entry commits with the write, or neither does."""

    def as_json(state: msgspec.Struct | None) -> str | None:
        return msgspec.json.encode(state).decode() if state is not None else None

    await cur.execute(
        sql_text("api/write_audit_insert.sql"),
        {
            "subject": principal.subject,
            "role": principal.role,
            "action": action,
            "target": target,
            "before": as_json(before),
            "after": as_json(after),
        },
    )
