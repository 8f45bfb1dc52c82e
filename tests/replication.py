"""A PostgreSQL primary and a streaming-replication standby of the test's own, in temporary folders
on free ports: the standby is made by `pg_basebackup -R`, as an operator would make one."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _bindir() -> Path:
    """The PostgreSQL server programs (initdb, pg_ctl, pg_basebackup): FINOPS_TEST_PG_BINDIR, else
    Debian's PostgreSQL 15, else those the pgserver package ships for the embedded server."""
    configured = os.environ.get("FINOPS_TEST_PG_BINDIR")
    if configured:
        return Path(configured)
    debian = Path("/usr/lib/postgresql/15/bin")
    if (debian / "pg_basebackup").exists():
        return debian
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


BINDIR = _bindir()
SERVER_USER = "postgres"
"""PostgreSQL refuses to run as root: when the tests are root, the servers run as this user."""
PRIMARY_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "hot_standby": "on",
    # a test's data is thrown away: no flush to disk
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
}


@dataclass(frozen=True)
class Replication:
    primary_url: str
    standby_url: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(*command: str) -> None:
    as_root = os.geteuid() == 0
    result = subprocess.run(
        command, user=SERVER_USER if as_root else None, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")


def _tool(name: str) -> str:
    return str(BINDIR / name)


@contextmanager
def _server(data: Path, port: int, socket_dir: Path) -> Iterator[str]:
    """The server in data, started on port and stopped (fast: sessions are ended) on leaving."""
    options = f"-p {port} -k {socket_dir}"
    _run(
        _tool("pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(data.parent / f"{data.name}.log"),
        "-o",
        options,
        "-w",
        "start",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run(_tool("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")


@contextmanager
def primary_and_standby() -> Iterator[Replication]:
    """A primary with wal_level=replica, and a hot standby streaming from it. The folders (owned
    by the server user) and both servers go on leaving, whatever happened."""
    with ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="finops-replication-"))
        stack.callback(shutil.rmtree, root, ignore_errors=True)
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(root, account.pw_uid, account.pw_gid)
        primary_dir, standby_dir = root / "primary", root / "standby"
        _run(
            _tool("initdb"),
            "-D",
            str(primary_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        with (primary_dir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in PRIMARY_SETTINGS.items())
        primary_port = free_port()
        primary_url = stack.enter_context(_server(primary_dir, primary_port, root))
        # -R: standby.signal and primary_conninfo, so the copy starts as a standby of the primary
        _run(
            _tool("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres"),
            *("-D", str(standby_dir), "-R", "-X", "stream", "--no-sync"),
        )
        standby_url = stack.enter_context(_server(standby_dir, free_port(), root))
        yield Replication(primary_url, standby_url)


def wait_for_replay(primary_url: str, standby_url: str, timeout: float = 10.0) -> float:
    """Seconds until the standby has replayed everything the primary had written when called."""
    started = time.monotonic()
    with psycopg.connect(primary_url, autocommit=True) as primary:
        row = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
    assert row is not None
    with psycopg.connect(standby_url, autocommit=True) as standby:
        while True:
            caught_up = standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [row[0]]).fetchone()
            if caught_up is not None and caught_up[0]:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"the standby had not replayed {row[0]} after {timeout} s")
            time.sleep(0.02)
