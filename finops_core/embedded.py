"""The embedded default database: a PostgreSQL server of our own (from the pgserver package)
in a project-local data folder, for when FINOPS_DATABASE_URL is not set."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import psycopg
from psycopg import sql


def start_embedded(data_dir: Path, database: str = "finops", keep_running: bool = True) -> str:
    """Start (or reuse) the embedded server in data_dir; return the URL of `database` on it,
    creating the database when missing. With keep_running the server outlives this process,
    for the next command; otherwise it stops when the last process using it exits."""
    # imported here: only the embedded path needs it
    from pgserver.postgres_server import get_server

    # pgserver logs each process exit at INFO from an atexit hook, after logging has closed
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode=None if keep_running else "stop")
    admin_url: str = server.get_uri()
    ensure_database(admin_url, database)
    url: str = server.get_uri(database)
    print(f"finops: embedded PostgreSQL in {data_dir} ({url})", file=sys.stderr)
    return url


def ensure_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def stop_embedded(data_dir: Path) -> None:
    """Stop the embedded server unless another process still uses it."""
    from pgserver.postgres_server import get_server

    server = get_server(data_dir, cleanup_mode="stop")
    server.cleanup_mode = "stop"  # an instance cached by an earlier call may say otherwise
    server.cleanup()
