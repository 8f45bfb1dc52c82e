"""The ingest benchmark's runs in a process of their own: one month, for its own peak memory,
and `finops materialize` over every month, for the CLI's backfill with its start-up.

Each runs into a fresh database and a work folder removed at the end: a landing that already
holds the same files would be kept, and the month not read again. The caller makes and drops the
database (benchmarks/ingest.py's `fresh_database`: that module imports this one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from benchmarks.ingest_memory import REPO, run_tree
from finops_core.months import format_month


def month_in_own_process(url: str, folder: Path, work: Path, month: date) -> dict[str, object]:
    """One month of `folder` through the asset graph in a process of its own, into the fresh
    database `url` and a landing under `work`: its wall time and its own peak RSS
    (benchmarks/ingest_memory.py: a child's ru_maxrss keeps the forked parent's)."""
    try:
        work.mkdir(parents=True, exist_ok=True)
        return run_tree(REPO, folder, "parquet", url, work, format_month(month))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def backfill_seconds(config_path: Path, url: str, work: Path, months: Sequence[date], parallel: int) -> float:
    """Wall seconds of `finops materialize --from first --to last --parallel N` (process start-up
    included) for the Parquet source into the fresh database `url` and a fresh landing."""
    try:
        home = work / f"backfill-{uuid.uuid4().hex[:8]}"
        env = os.environ | {
            "FINOPS_CONFIG": str(config_path),
            "FINOPS_DATABASE_URL": url,
            "FINOPS_HOME": str(home),
        }
        env.pop("DAGSTER_HOME", None)  # runs in memory, each worker's own
        command = [
            sys.executable,
            "-m",
            "finops_cli.main",
            "materialize",
            "--from",
            format_month(months[0]),
            "--to",
            format_month(months[-1]),
            "--source",
            "bench_parquet",
            "--parallel",
            str(parallel),
        ]
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started  # float ok: a timing
    finally:
        shutil.rmtree(work, ignore_errors=True)
