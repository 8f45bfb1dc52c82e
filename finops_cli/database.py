"""`finops db`: the schema's migrations and the embedded server's life."""

from __future__ import annotations

import psycopg

from finops_cli.commands import say
from finops_core.database import database_url
from finops_core.embedded import embedded_server, stop_embedded
from finops_core.errors import first_line
from finops_core.migrations import applied_versions
from finops_core.migrations import upgrade as apply_migrations
from finops_core.settings import Settings


def upgrade() -> int:
    applied = apply_migrations(database_url())
    say(f"applied {len(applied)} migration(s): {', '.join(applied)}" if applied else "schema up to date")
    return 0


def status() -> int:
    """Where the mart is, whether the embedded server runs, and the schema's last migration."""
    settings = Settings.from_env()
    data_dir = settings.home / "pgdata"
    if settings.database_url:
        say("database: FINOPS_DATABASE_URL (the embedded server is not used)")
        url = settings.database_url
    else:
        server = embedded_server(data_dir)
        if server is None:
            state = "stopped" if data_dir.exists() else "no data yet"
            # a demo's API and UI keep failing until it runs again: say how
            say(f"embedded PostgreSQL in {data_dir}: not running ({state}); `finops db upgrade` starts it")
            return 0
        say(f"embedded PostgreSQL in {data_dir}: running, pid {server.pid}, port {server.port}")
        url = database_url(settings)
    try:
        versions = applied_versions(url)
    except psycopg.Error as error:
        say(f"schema: unreachable: {first_line(error)}")
        return 1
    say(
        f"schema: {len(versions)} migration(s) applied, last {versions[-1]}"
        if versions
        else "schema: not created"
    )
    return 0


def stop() -> int:
    data_dir = Settings.from_env().home / "pgdata"
    say(
        f"embedded PostgreSQL in {data_dir}: " + ("stopped" if stop_embedded(data_dir) else "was not running")
    )
    return 0
