"""The Dagster instance `finops demo` (and the backfill benchmark) run: the repository's
dagster.yaml with the run queue sized from the host."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def host_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the machine's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def instance_settings(
    max_concurrent_runs: int | None = None, pool_limit: int | None = None
) -> dict[str, Any]:
    """dagster.yaml with one month run per core: a run executes its steps in one process, so
    runs beyond the cores only queue on the CPU (measured: benchmarks/dagster_backfill.py).
    `pool_limit`: each pool's (a source's ingest, the mart's loads) instead of dagster.yaml's."""
    settings: dict[str, Any] = yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())
    runs = max_concurrent_runs if max_concurrent_runs is not None else host_cores()
    settings["concurrency"]["runs"]["max_concurrent_runs"] = runs
    if pool_limit is not None:
        settings["concurrency"]["pools"]["default_limit"] = pool_limit
    return settings


def write_dagster_home(
    home: Path, max_concurrent_runs: int | None = None, pool_limit: int | None = None
) -> Path:
    """A DAGSTER_HOME (run storage at FINOPS_DAGSTER_STORAGE_URL, telemetry off) where the
    UI's first-visit modal counts as seen."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(
        yaml.safe_dump(instance_settings(max_concurrent_runs, pool_limit), sort_keys=False)
    )
    (home / ".nux").mkdir(exist_ok=True)
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n")
    return home
