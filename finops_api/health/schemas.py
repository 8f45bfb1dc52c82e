from __future__ import annotations

from typing import Literal

import msgspec

from finops_api.publication.schemas import StaleMonth


class ReplicaHealth(msgspec.Struct, frozen=True):
    """A read replica (a streaming-replication standby the cost reads go to) and how far its
    replay is behind the primary."""

    replica: int
    """Its position in FINOPS_READ_DATABASE_URL, from 1 (host names stay in the server)."""
    status: Literal["ok", "unavailable", "not_a_standby"]
    """unavailable: it could not be reached in time, and the cost reads sent to it fail with 503.
    not_a_standby: it is another database than the primary's (another server's, or another of
    the primary's server: its system identifier or database name differs), and no cost read is
    sent to it."""
    replay_lag_bytes: int | None
    """WAL the primary has written that the standby has not replayed yet."""
    replay_lag_seconds: float | None
    """While it has received WAL it has not replayed, the seconds since the commit of the last
    transaction it replayed: at most how old its answers are (a long transaction on the primary,
    such as a month's load, raises it though nothing committed is missing); 0 once it has
    replayed all it received. None while it has replayed no transaction since it started."""


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok"]
    database: Literal["ok"]
    schema_version: str
    """The latest migration applied to the mart, e.g. `0001`."""
    replicas: list[ReplicaHealth]
    """The read replicas, empty when the cost reads go to the primary."""
    stale_months: list[StaleMonth] = msgspec.field(default_factory=list)
    """Every month whose layers disagree (a run stopped between its steps), with why; the cost
    answers that include one name it too. Empty when every month is published whole."""
