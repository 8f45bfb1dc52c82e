from __future__ import annotations

from typing import Literal

import msgspec


class ReplicaHealth(msgspec.Struct, frozen=True):
    """A read replica (a streaming-replication standby the cost reads go to) and how far its
    replay is behind the primary."""

    replica: int
    """Its position in FINOPS_READ_DATABASE_URL, from 1 (host names stay in the server)."""
    status: Literal["ok", "unavailable"]
    """unavailable: it could not be reached in time, and the cost reads sent to it fail with 503."""
    replay_lag_bytes: int | None
    """WAL the primary has written that the standby has not replayed yet."""
    replay_lag_seconds: float | None
    """Seconds since the commit of the last transaction it replayed, 0 when it is current: how
    old its answers may be. None while it has replayed no transaction since it started."""


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok"]
    database: Literal["ok"]
    schema_version: str
    """The latest migration applied to the mart, e.g. `0001`."""
    replicas: list[ReplicaHealth]
    """The read replicas, empty when the cost reads go to the primary."""
