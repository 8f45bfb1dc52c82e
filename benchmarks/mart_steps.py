"""The mart's steps of one month timed alone: wall time and the database's CPU time.

On a shared machine the wall time of a step moves with the other jobs' load (2-4x on the
2-core benchmark machine); the CPU time the PostgreSQL backend spends on it moves much less, so
it is the figure to compare two versions of the code by. Each step runs as the asset runs it
(`allocate_month`, `value_month`, `refresh_rollups` on one autocommit connection), a month that
is already materialized, `rounds` times; parallel query is off for these runs so that the
backend's own CPU time is all of the work (its workers are other processes). Each round values
and rolls up the month whole, as its first run does (`whole=True`: valued again on the same
basis with nothing changed, a month writes nothing, finops_assets/mart/valuation.py).

The CPU time is read from /proc/<backend pid>/stat: only when the server runs on this machine
and the benchmark may read its processes; otherwise only wall times are printed.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

from finops_assets.mart.allocation import allocate_month
from finops_assets.mart.read_models import refresh_rollups
from finops_assets.mart.valuation import value_month

STEPS: dict[str, Callable[[psycopg.Connection[Any], date], object]] = {
    "mart/allocation": allocate_month,
    "mart/valuation": partial(value_month, whole=True),
    "mart/cost_views": partial(refresh_rollups, whole=True),
}
_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a local process, None when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # float ok: a duration


def mart_step_times(url: str, month: date, rounds: int) -> str:
    """Each mart step's median wall and CPU seconds over `rounds` runs, one line a step."""
    wall: dict[str, list[float]] = {name: [] for name in STEPS}
    cpu: dict[str, list[float]] = {name: [] for name in STEPS}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET max_parallel_workers_per_gather = 0")
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        pid = int(row[0]) if row else 0
        for _ in range(rounds):
            for name, step in STEPS.items():
                cpu_before, started = _cpu_seconds(pid), time.perf_counter()
                step(conn, month)
                wall[name].append(time.perf_counter() - started)
                cpu_after = _cpu_seconds(pid)
                if cpu_before is not None and cpu_after is not None:
                    cpu[name].append(cpu_after - cpu_before)
    lines = []
    for name in STEPS:
        line = f"  {name:<18} wall median {statistics.median(wall[name]):5.2f} s ({min(wall[name]):.2f}-"
        line += f"{max(wall[name]):.2f})"
        if cpu[name]:
            line += f"  database CPU median {statistics.median(cpu[name]):5.2f} s ({min(cpu[name]):.2f}-"
            line += f"{max(cpu[name]):.2f})"
        lines.append(line)
    return "\n".join(lines)
