"""The async connection pool the request handlers share."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeAlias, cast

import psycopg
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from psycopg import AsyncConnection, sql
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from finops_core.errors import first_line
from finops_core.sql import sql_text

Pool: TypeAlias = AsyncConnectionPool[AsyncConnection[TupleRow]]
Identity: TypeAlias = tuple[str, str]
"""A database's system identifier and name (SERVER_IDENTITY): a standby's are its primary's."""
SERVER_IDENTITY = "api/server_identity.sql"
log = logging.getLogger(__name__)

CHEAP_POOL_SIZE = 4
"""Connections for the cheap reads (referentials, pricing views, health, writes)."""
COST_POOL_SIZE = 8
"""Connections for the cost reads, which can be slow: when they are all busy the cheap reads
still have their own pool (a dashboard's menus keep answering while a heavy report runs).
With read replicas, each standby has a pool of this size."""
PRIMARY_COST_POOL = "finops-api-costs-primary"
"""With standbys, the primary's own cost pool: the cost reads no standby is known to serve."""
POOL_TIMEOUT = 10.0
"""Seconds a request waits for a connection before answering 503: a dashboard that waits
longer is better told the service is unavailable."""
DOWN_SECONDS = 60.0
"""Seconds a standby a probe found unreachable is passed over, unless its pool connects again."""
PROBE_SECONDS = 2
"""libpq's connect_timeout for the probe of a standby a read failed on."""

# plan_cache_mode: psycopg prepares a statement after 5 executions, and PostgreSQL may then
# switch to a generic plan that ignores the month range (no partition pruning); that doubled an
# analytic query here (docs/design.md section 10).
# default_transaction_read_only: the API only reads; a bug in it must not be able to write.
_SESSION_SETTINGS = "SET plan_cache_mode = force_custom_plan; SET default_transaction_read_only = on"


class Identities:
    """Which database each pool's connections reach (SERVER_IDENTITY), by pool name, with the
    primary's cost pool (`primary`) the one every standby's must equal."""

    def __init__(self, primary: str) -> None:
        self.primary = primary
        self.seen: dict[str, Identity] = {}

    async def record(self, name: str, conn: AsyncConnection[TupleRow]) -> Identity:
        """The connection's database, recorded as the pool's."""
        row = await (await conn.execute(sql_text(SERVER_IDENTITY))).fetchone()
        assert row is not None  # one row, always
        identity = self.seen[name] = (str(row[0]), str(row[1]))
        return identity

    async def admit(self, name: str, conn: AsyncConnection[TupleRow]) -> None:
        """A new connection of the pool `name`, recorded; one of a standby's that is not shown
        to reach the primary's database (another, or the primary's not known yet) is refused:
        psycopg's pool drops it and tries again later, so that none is ever lent (a pool's URL
        may name several servers, or a name that moves)."""
        identity = await self.record(name, conn)
        if name == self.primary:
            return
        expected = self.seen.get(self.primary)
        if expected is None:
            raise psycopg.OperationalError(f"{name}: the primary's database is not known yet")
        if identity != expected:
            raise psycopg.OperationalError(
                f"{name} reached database {identity[1]!r} of system {identity[0]}, not the primary's"
            )


def create_pool(
    database_url: str,
    name: str,
    max_size: int,
    statement_timeout_seconds: float,
    identities: Identities | None = None,
) -> Pool:
    """A closed pool; the app's lifespan opens it (a pool must be opened inside the event loop).
    Every statement on it is cancelled after statement_timeout_seconds: no request can hold a
    connection (and the database's CPU) for longer. identities: where each new connection
    records which database it reached (ReadPools)."""
    timeout = sql.SQL("SET statement_timeout = {}").format(sql.Literal(int(statement_timeout_seconds * 1000)))

    async def configure(conn: AsyncConnection[TupleRow]) -> None:
        # Autocommit: every request runs single read statements, so an explicit transaction
        # would only add round trips (BEGIN, and the pool's ROLLBACK on return).
        await conn.set_autocommit(True)
        await conn.execute(_SESSION_SETTINGS)
        await conn.execute(timeout)
        if identities is not None:
            await identities.admit(name, conn)

    return AsyncConnectionPool(
        database_url,
        min_size=1,
        max_size=max_size,
        timeout=POOL_TIMEOUT,
        configure=configure,
        open=False,
        name=name,
    )


@asynccontextmanager
async def read_write_transaction(pool: Pool) -> AsyncIterator[AsyncConnection[TupleRow]]:
    """A connection in a read-write transaction, committed when the block ends without error.
    The pool's sessions stay read-only by default (a bug in a read endpoint cannot write): the
    few endpoints that write (simulation pricing views) opt in here, one transaction at a time,
    with SET TRANSACTION READ WRITE, which overrides default_transaction_read_only for that
    transaction only."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SET TRANSACTION READ WRITE")
        yield conn


class ReadPools:
    """Where the cost reads go: the primary's cost pool, or one pool per streaming-replication
    standby (FINOPS_READ_DATABASE_URL), taken in turn. The cheap reads and every write stay on
    the primary: a simulation created there is listed at once, and the standbys refuse writes.

    A standby is read once a connection to it has shown the primary's database (Identities:
    the system identifier and database name each connection and each probe records), and
    while its last one does: another server's database, or another database of the primary's
    server, would answer another mart's figures. Until then, the primary's cost pool answers."""

    def __init__(
        self, pools: Sequence[Pool], primary: Pool | None = None, identities: Identities | None = None
    ) -> None:
        """pools: the standbys', with primary the primary's own cost pool (named as
        identities.primary); else the primary's cost pool alone, and primary None."""
        self.pools = tuple(pools)
        self.on_standbys = primary is not None
        self._primary = primary
        self._identities = identities if identities is not None else Identities("")
        self._foreign_told: set[str] = set()
        self._turn = 0
        self._down: dict[str, tuple[float, int]] = {}
        """Pool name -> when a probe found it down, and its connections made by then."""
        self._probes: dict[str, asyncio.Task[None]] = {}

    @property
    def all_pools(self) -> tuple[Pool, ...]:
        """Every pool the cost reads may take, to open and close: the primary's included."""
        return (*self.pools, self._primary) if self._primary is not None else self.pools

    async def open(self) -> None:
        """The pools opened (not waited for: the API starts with its databases down), the
        primary's first and the standbys' once it has shown its database, for up to
        PROBE_SECONDS: their first connections are refused until it has."""
        if self._primary is not None:
            await self._primary.open(wait=False)
            deadline = time.monotonic() + PROBE_SECONDS
            while self._identities.primary not in self._identities.seen and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        for pool in self.pools:
            await pool.open(wait=False)

    def next(self) -> Pool:
        """The next standby in turn that is the primary's database, passing over one found
        down (a dead one made every other cost read wait POOL_TIMEOUT for a 503); every one
        down, the next in turn; none known to be the primary's, the primary."""
        first = self._turn
        self._turn = (first + 1) % len(self.pools)
        in_turn = [self.pools[(first + offset) % len(self.pools)] for offset in range(len(self.pools))]
        ours = [pool for pool in in_turn if self._is_ours(pool)]
        if not ours:
            assert self._primary is not None  # _is_ours is True without standbys
            return self._primary
        return next((pool for pool in ours if not self._is_down(pool)), ours[0])

    def is_foreign(self, pool: Pool) -> bool:
        """Whether the standby's last connection reached another database than the primary's."""
        seen = self._identities.seen
        theirs, primary = seen.get(pool.name), seen.get(self._identities.primary)
        return theirs is not None and primary is not None and theirs != primary

    def _is_ours(self, pool: Pool) -> bool:
        """Whether the standby's last connection reached the primary's database. Not known yet
        (neither has connected), a probe of the standby learns it, in the background."""
        if self._primary is None:
            return True
        seen = self._identities.seen
        if pool.name not in seen or self._identities.primary not in seen:
            if pool.name not in seen and not self._is_down(pool):
                self._start_probe(pool)
            return False
        if not self.is_foreign(pool):
            self._foreign_told.discard(pool.name)
            return True
        if pool.name not in self._foreign_told:
            self._foreign_told.add(pool.name)
            theirs, primary = seen[pool.name], seen[self._identities.primary]
            log.error(
                "%s is not a standby of the primary: it reached database %r of system %s, the primary"
                " is %r of system %s; no cost read goes to it",
                pool.name, theirs[1], theirs[0], primary[1], primary[0],
            )  # fmt: skip
        return False

    def suspect(self, pool: Pool) -> None:
        """A read on `pool` failed. A connection of its own is tried, in the background: the
        failure may have been the primary's, a busy pool's or a conflict with recovery. When
        that fails too, the other standbys take its reads until it connects again, or for
        DOWN_SECONDS (a read then tries it: psycopg's pool stops reconnecting after a while)."""
        if len(self.pools) > 1 and pool in self.pools:  # not the primary's, taken when none is left
            self._start_probe(pool)

    def _start_probe(self, pool: Pool) -> None:
        if pool.name not in self._probes:
            self._probes[pool.name] = asyncio.get_running_loop().create_task(self._probe(pool))

    async def _probe(self, pool: Pool) -> None:
        """Connects to the standby on its own: records which database it is, or that it is down."""
        assert isinstance(pool.conninfo, str)  # create_pool's: a URL
        try:
            async with await AsyncConnection.connect(pool.conninfo, connect_timeout=PROBE_SECONDS) as conn:
                await self._identities.record(pool.name, conn)
        except psycopg.Error as error:
            self._down[pool.name] = (time.monotonic(), _connections_made(pool))
            log.warning(
                "%s unreachable (%s): its cost reads go to the other standbys for up to %.0f s",
                pool.name, first_line(error), DOWN_SECONDS,
            )  # fmt: skip
        finally:
            del self._probes[pool.name]

    def _is_down(self, pool: Pool) -> bool:
        found = self._down.get(pool.name)
        if found is None:
            return False
        since, made = found
        if time.monotonic() - since < DOWN_SECONDS and _connections_made(pool) == made:
            return True
        del self._down[pool.name]
        return False


def _connections_made(pool: Pool) -> int:
    """The connections the pool has opened since it started (attempts less failures)."""
    stats = pool.get_stats()
    return stats.get("connections_num", 0) - stats.get("connections_errors", 0)


_READ_POOL_KEY = "finops_read_pool"


def read_pool(connection: ASGIConnection[Any, Any, Any, Any]) -> Pool:
    """The pool of this request's cost reads, chosen once per request: the data version of its
    ETag and its rows then come from the same server. Read in that order on one standby, whose
    replay only moves forward, the rows are never older than the version they are tagged with."""
    state = connection.scope["state"]
    if _READ_POOL_KEY not in state:
        state[_READ_POOL_KEY] = cast(ReadPools, connection.app.state.read_pools).next()
    return cast(Pool, state[_READ_POOL_KEY])


def read_pool_failed(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """The request met a database error after choosing its read pool: that pool is probed."""
    pool = connection.scope["state"].get(_READ_POOL_KEY)
    if pool is not None:
        cast(ReadPools, connection.app.state.read_pools).suspect(pool)


def provide_db_pool(state: State) -> Pool:
    return cast(Pool, state.db_pool)


def provide_read_pools(state: State) -> ReadPools:
    return cast(ReadPools, state.read_pools)


def provide_cost_pool(request: Request[Any, Any, Any]) -> Pool:
    return read_pool(request)
