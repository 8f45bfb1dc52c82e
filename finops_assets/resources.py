"""Resources shared by every asset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from dagster import ConfigurableResource, InitResourceContext
from psycopg_pool import ConnectionPool
from pydantic import PrivateAttr

from finops_assets.instance import bind
from finops_core.database import database_identity, database_url
from finops_core.migrations import upgrade
from finops_core.settings import Settings


class MartResource(ConfigurableResource):
    """The mart (its connections) and the landing layer. Unset fields follow the environment:
    FINOPS_DATABASE_URL (else the embedded server) and $FINOPS_HOME/landing.

    A run opens one small pool when it starts and closes it when it ends: the steps of a run
    borrow its connections instead of each opening its own (an in-process run of a month
    needs one at a time; a step process of the multiprocess executor gets its own pool)."""

    database_url: str | None = None
    landing_dir: str | None = None
    pool_size: int = 2

    _pool: ConnectionPool[psycopg.Connection[Any]] | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Every run writes the mart its instance serves (finops_assets/instance.py) and starts
        on a migrated mart, whether it was launched from the UI, a schedule or the CLI: a fresh
        database gets its schema before the first step needs it (upgrade is idempotent and
        serialised by an advisory lock)."""
        url = self.url()
        if context.instance is not None:
            mart = database_identity(url)
            served = bind(context.instance, mart)
            if served != mart:  # its check results would show as the served mart's
                raise RuntimeError(
                    f"this Dagster instance serves the mart {served}; this run would write {mart}: "
                    "use the DAGSTER_HOME of that mart, or another one"
                )
        applied = upgrade(url)
        if applied and context.log is not None:
            context.log.info(f"mart migrated: {', '.join(applied)}")
        self._pool = ConnectionPool(
            url, min_size=1, max_size=self.pool_size, kwargs={"autocommit": True}, open=True
        )
        self._pool.wait()  # its first connection ready: the first step does not make the pool grow

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """An autocommit connection (transactions are the borrower's), back to the pool after;
        outside a run (a direct call), a connection of its own."""
        if self._pool is None:
            with psycopg.connect(self.url(), autocommit=True) as conn:
                yield conn
            return
        with self._pool.connection() as conn:
            yield conn

    def url(self) -> str:
        return self.database_url or database_url()

    def landing_root(self) -> Path:
        return Path(self.landing_dir) if self.landing_dir else Settings.from_env().home / "landing"
