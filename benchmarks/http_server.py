"""The API as a real server process for the HTTP benchmark: uvicorn with its workers on
127.0.0.1 (benchmarks/http_app.py builds the app in each), and what the export does to their
memory."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import msgspec
import psutil
from psycopg.conninfo import conninfo_to_dict

from benchmarks.http_app import API_ENV, DATABASE_ENV
from benchmarks.ingest import REPO, say
from finops_core.api_config import ApiConfig

MB = 1024 * 1024


@dataclass(frozen=True)
class Server:
    mode: str
    url: str
    database_url: str
    process: psutil.Process

    def workers(self) -> list[psutil.Process]:
        """multiprocessing's resource tracker is a child too, not a worker."""
        return [
            child
            for child in self.process.children()
            if not any("resource_tracker" in part for part in child.cmdline())
        ]

    def worker_rss(self) -> list[int]:
        return [worker.memory_info().rss for worker in self.workers()]

    def cpu_seconds(self) -> float:
        """User and system CPU the workers have used."""
        return sum(sum(worker.cpu_times()[:2]) for worker in self.workers())


def database_cpu(database_url: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the database, by pid (PostgreSQL names
    the database in the process title); {} when the server is not on this machine."""
    title = f" {conninfo_to_dict(database_url)['dbname']} "
    used = {}
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or [""]
        if cmdline[0].startswith("postgres: ") and title in cmdline[0]:
            with contextlib.suppress(psutil.Error):
                used[process.pid] = sum(process.cpu_times()[:2])
    return used


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(mode: str, database_url: str, api: ApiConfig, workers: int, code: Path = REPO) -> Iterator[Server]:
    """`uvicorn --workers` serving the mart with api, until the block ends; code: the checkout
    whose finops_api it runs (first on the workers' import path)."""
    port = _free_port()
    env = {**os.environ, DATABASE_ENV: database_url, API_ENV: msgspec.json.encode(api).decode(),
           "PYTHONPATH": str(code)}  # fmt: skip
    command = [sys.executable, "-m", "uvicorn", "--factory", "benchmarks.http_app:create",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--no-access-log",
               # longer than the client keeps a connection idle: a close racing a request is an error
               "--timeout-keep-alive", "75"]  # fmt: skip
    process = subprocess.Popen(command, cwd=code, env=env)
    server = Server(mode, f"http://127.0.0.1:{port}", database_url, psutil.Process(process.pid))
    try:
        _wait_healthy(server, process, workers)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)


def _wait_healthy(server: Server, process: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"uvicorn ({server.mode}) exited with {process.returncode}")
        try:
            healthy = httpx.get(f"{server.url}/api/v1/health", timeout=5).status_code == 200
        except httpx.HTTPError:
            healthy = False
        if healthy and len(server.worker_rss()) >= workers:
            return
        time.sleep(0.2)
    raise SystemExit(f"uvicorn ({server.mode}) did not answer health within 60 s")


def export_memory(server: Server, params: dict[str, str]) -> None:
    """Streams GET /costs/export?format=csv and prints its size and time, and the workers' RSS
    before, at its peak (sampled every 10 ms) and after."""
    before = server.worker_rss()
    peak = list(before)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            for index, rss in enumerate(server.worker_rss()[: len(peak)]):
                peak[index] = max(peak[index], rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    size = lines = 0
    with httpx.stream(
        "GET", f"{server.url}/api/v1/costs/export", params={**params, "format": "csv"}, timeout=600
    ) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    after = server.worker_rss()
    grew = max(p - b for p, b in zip(peak, before, strict=True))
    say(f"  {lines - 1:,} rows, {size / MB:.1f} MB in {seconds:.1f} s; worker RSS before "
        f"{_mbs(before)}, peak {_mbs(peak)}, after {_mbs(after)}: the serving worker grew at most "
        f"{grew / MB:.1f} MB")  # fmt: skip


def _mbs(values: list[int]) -> str:
    return " / ".join(f"{value / MB:.0f} MB" for value in values)
