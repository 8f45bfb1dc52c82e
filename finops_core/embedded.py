"""The embedded default database: a PostgreSQL server of our own (from the pgserver package)
in a project-local data folder, for when FINOPS_DATABASE_URL is not set."""

from __future__ import annotations

import logging
import signal
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

# platformdirs, under pgserver, warns on every command where XDG_RUNTIME_DIR is unset (a
# container, root's shell) and falls back to /tmp/runtime-<uid>, which serves as well
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


@dataclass(frozen=True)
class EmbeddedServer:
    pid: int
    port: int | None
    socket_dir: Path | None
    url: str


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


def embedded_server(data_dir: Path) -> EmbeddedServer | None:
    """The embedded server running in data_dir, or None (never started, or stopped)."""
    from pgserver.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(data_dir)
    except (OSError, AssertionError, ValueError):  # a half-written or stale postmaster.pid
        return None
    if info is None or not info.is_running():
        return None
    return EmbeddedServer(pid=info.pid, port=info.port, socket_dir=info.socket_dir, url=info.get_uri())


def stop_embedded(data_dir: Path, timeout: float = 30) -> bool:
    """Stop the embedded server in data_dir (a fast shutdown: sessions are ended, data kept);
    False when it was not running."""
    import psutil

    server = embedded_server(data_dir)
    if server is None:
        return False
    postmaster = psutil.Process(server.pid)
    postmaster.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
    try:
        postmaster.wait(timeout)
    except psutil.TimeoutExpired:
        postmaster.kill()
    return True
