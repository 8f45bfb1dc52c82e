"""The mart's data version: what the cost reads' ETags and the API's caches are keyed on
(api/data_version.sql). Taken once per request, before anything it stands for: a change that
commits after it makes a later request's version differ, never a cache keep stale data.

On the primary, each API process keeps the version in memory (DataVersionWatch) instead of
reading it per request: it LISTENs on finops_data_version, which the tables the version is read
from notify at every commit that writes them (migration 0024), and reads the version again on
the first request after a notification. What "exactly" means across processes: a request sees a
change once its process has received the change's notification, which PostgreSQL sends when the
writing transaction commits; each request first takes in what has arrived on the listening
connection (without waiting), so the window is the notification's delivery: under a
millisecond on an idle machine, tens of milliseconds when PostgreSQL's listening backend waits
for a core on a saturated one. A write by the process itself (a simulation) is seen by its very
next request (data_written). Whatever happens to notifications (the
listening connection lost, a pooler that drops them), the version is read again at least every
MAX_AGE_SECONDS, and on every request while the process is not listening. Standbys cannot
LISTEN: with read replicas, the version is read per request from the standby whose rows are
served, as before."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, cast

import psycopg
from litestar.connection import ASGIConnection
from litestar.datastructures import State

from finops_api.db import Pool
from finops_core.sql import sql_text

CHANNEL = "finops_data_version"
"""The channel migration 0024's triggers notify."""
MAX_AGE_SECONDS = 1.0
"""A version kept in memory is read again after this long even without a notification."""
RECONNECT_SECONDS = 2.0
"""Wait before listening again after the listening connection failed."""
_STATE_KEY = "finops_data_version"
WATCH_KEY = "finops_data_version_watch"
log = logging.getLogger(__name__)


async def read_data_version(pool: Pool) -> str:
    async with pool.connection() as conn, conn.cursor() as cur:
        await cur.execute(sql_text("api/data_version.sql"))
        row = await cur.fetchone()
    return str(row[0]) if row is not None else ""


class DataVersionWatch:
    """The primary's data version as of the last notification (see the module's docstring)."""

    def __init__(self, database_url: str, pool: Pool) -> None:
        self._url = database_url
        self._pool = pool
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._notified = 0
        """Notifications (and reconnections) seen: a version read before the last one is stale."""
        self._version: str | None = None
        self._read_as_of = -1
        self._read_at = 0.0
        self._reading: tuple[int, asyncio.Task[str]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._dropped: psycopg.AsyncConnection[Any] | None = None
        self._socket: int | None = None
        """The listening connection's socket as its reader was added: a lost connection no
        longer tells it, and a reader left on its closed end ran in a loop at full CPU."""

    @property
    def listening(self) -> bool:
        return self._conn is not None

    @property
    def notifications(self) -> int:
        """Notifications received (and listening connections made or lost) so far."""
        return self._notified

    def changed(self) -> None:
        """This process wrote data (its own notification may still be on its way)."""
        self._notified += 1

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._hang_up()

    async def version(self) -> str:
        """The current version: kept, else read (once for the requests that arrive while a read
        begun after the last notification is under way)."""
        self._take_notifications()
        if not self.listening:
            return await read_data_version(self._pool)
        fresh = self._read_as_of == self._notified and time.monotonic() - self._read_at < MAX_AGE_SECONDS
        if fresh and self._version is not None:
            return self._version
        if self._reading is None or self._reading[0] != self._notified:
            as_of = self._notified
            self._reading = (as_of, asyncio.get_running_loop().create_task(self._read(as_of)))
        return await asyncio.shield(self._reading[1])

    async def _read(self, as_of: int) -> str:
        """as_of: the notifications seen before the query (one arriving later makes it stale)."""
        at = time.monotonic()
        try:
            version = await read_data_version(self._pool)
        finally:
            if self._reading is not None and self._reading[0] == as_of:
                self._reading = None
        if as_of >= self._read_as_of:
            self._version, self._read_as_of, self._read_at = version, as_of, at
        return version

    def _take_notifications(self) -> None:
        """What the listening connection has received, without waiting (called on readable and
        at each request, so a notification already on the socket is never missed)."""
        conn = self._conn
        if conn is None:
            return
        try:
            conn.pgconn.consume_input()
            while conn.pgconn.notifies() is not None:
                self._notified += 1
        except psycopg.Error as error:
            log.warning("the data version's listening connection failed: %s; listening again", error)
            self._drop_listener()

    async def _listen(self) -> None:
        while not self._closed:
            if self._dropped is not None:
                with contextlib.suppress(psycopg.Error):
                    await self._dropped.close()
                self._dropped = None
            if self._conn is None:
                try:
                    await self._connect()
                except psycopg.Error as error:
                    log.warning("cannot LISTEN for data changes (%s): the version is read per request", error)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _connect(self) -> None:
        conn = await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, application_name="finops-api-data-version"
        )
        await conn.execute(f"LISTEN {CHANNEL}")
        # whatever changed while nobody listened: the next request reads the version again
        self._notified += 1
        self._conn, self._socket = conn, conn.pgconn.socket
        asyncio.get_running_loop().add_reader(self._socket, self._take_notifications)

    def _drop_listener(self) -> psycopg.AsyncConnection[Any] | None:
        """Stops listening (the version is read per request until listening again)."""
        conn, self._conn = self._conn, None
        self._notified += 1
        if self._socket is not None:
            asyncio.get_running_loop().remove_reader(self._socket)
            self._socket = None
        if conn is not None:
            # no await here (called from a reader callback): closed by the next _listen turn
            self._dropped = conn
        return conn

    async def _hang_up(self) -> None:
        conn = self._drop_listener()
        self._dropped = None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()


def data_version_watch(state: State) -> DataVersionWatch | None:
    return cast(DataVersionWatch | None, state.get(WATCH_KEY))


def data_written(state: State) -> None:
    """After a write of this process committed: its next request reads the version again, so
    a simulation written is seen at once by the process that wrote it (another process, once
    the notification reaches it)."""
    watch = data_version_watch(state)
    if watch is not None:
        watch.changed()


async def data_version(connection: ASGIConnection[Any, Any, Any, Any], pool: Pool) -> str:
    """Taken once per request, from the watch when the process has one (no read replicas),
    else read from the first pool asked: a cost read asks its read pool first
    (finops_api/caching.py), so with read replicas the ETag, the answer cache and the cache of
    visible applications are all keyed on the version of the standby whose rows are served
    (a change of ownership reaches a viewer once that standby has replayed it)."""
    state = connection.scope["state"]
    if _STATE_KEY not in state:
        # the read itself is kept, not its result: dependencies resolved side by side (a
        # viewer's visibility, the stale months) await one read, from the first pool asked
        watch = data_version_watch(connection.app.state)
        state[_STATE_KEY] = asyncio.ensure_future(
            watch.version() if watch is not None else read_data_version(pool)
        )
    version: str = await state[_STATE_KEY]
    return version
