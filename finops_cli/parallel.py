"""`finops materialize --from ... --to ... --parallel N`: N months at once.

Each month is the same Dagster run as in turn (finops_assets/materialize.py), executed in one of
N worker processes. The workers are forked from a fork server (a fresh interpreter: none of this
process's connections or threads) that imported Dagster once for all of them, each with polars'
thread pool sized to its share of the cores; each runs month after month, recording its runs in
the instance the serial runs would use (DAGSTER_HOME's when it serves this mart). In that
instance the pools of dagster.yaml hold across processes and runs, the UI's included: at most
the pool's limit of runs ingest one source at once, the others' steps wait for a slot. Without
DAGSTER_HOME the runs stay in memory, each worker's own: N bounds them all.

A month's lines are printed together when it ends, months in the order they end."""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import TYPE_CHECKING

from finops_cli.commands import run_month, say
from finops_cli.dagster_home import host_cores
from finops_cli.report import Outcome
from finops_core.config import PlatformConfig
from finops_core.months import format_month

if TYPE_CHECKING:
    from dagster import DagsterInstance


POLARS_THREADS = "POLARS_MAX_THREADS"


def worker_environment(workers: int) -> dict[str, str]:
    """This process's environment for the workers, with each worker's polars thread pool sized
    to its share of the cores (POLARS_MAX_THREADS, unless it is set): workers that each start a
    pool of every core oversubscribe them. 12 x 1M Parquet months, 2 workers on 2 cores: a median
    of 529,148 rows/s with pools of 2 threads, 540,639 with 1 (5 runs each, benchmarks/RESULTS.md)."""
    environment = dict(os.environ)
    environment.setdefault(POLARS_THREADS, str(max(1, host_cores() // workers)))
    return environment


def _adopt_environment(environment: dict[str, str]) -> None:
    """A worker's environment is the one it was given now, not the fork server's from its start.
    Nothing a worker imports before this may import polars, which reads POLARS_MAX_THREADS when
    it is imported (tests/test_parallel_backfill.py checks the pools' size)."""
    os.environ.clear()
    os.environ.update(environment)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """`workers` processes forked from a fork server that imported Dagster."""
    server = multiprocessing.get_context("forkserver")
    # Dagster, most of a worker's imports, once for all of them; not the asset code, which imports
    # polars: polars sizes its thread pool when imported, and a worker's size is set by
    # _adopt_environment, after it starts
    server.set_forkserver_preload([__name__, "dagster"])
    return ProcessPoolExecutor(
        workers, server, initializer=_adopt_environment, initargs=(worker_environment(workers),)
    )


@functools.cache
def _instance(url: str) -> DagsterInstance:
    """The worker's instance, opened once for all its months."""
    from finops_assets.instance import recording_instance

    return recording_instance(url).instance


def _run_month_in_worker(
    config: PlatformConfig,
    url: str,
    month: date,
    sources: Sequence[str] | None,
    strict: bool,
    accept_held: bool,
) -> tuple[Outcome, list[str]]:
    lines: list[str] = []
    outcome = run_month(config, url, month, sources, strict, accept_held, _instance(url), lines.append)
    return outcome, lines


def died(month: date) -> str:
    return (
        f"{format_month(month)}: FAILED: a worker process died before the month ended (killed by a "
        "signal, such as the out-of-memory killer's); a run stopped half way leaves its month stale "
        "until it runs again: run the month again"
    )


def run_months_in_parallel(
    config: PlatformConfig,
    url: str,
    months: Sequence[date],
    sources: Sequence[str] | None,
    strict: bool,
    accept_held: bool,
    parallel: int,
    instance: DagsterInstance,
) -> list[Outcome]:
    """The months' outcomes, in the order of `months`. `instance`: the one the workers record
    in (DAGSTER_HOME's, or memory), whose pools are created first."""
    from finops_assets.instance import create_pools
    from finops_assets.materialize import month_pools

    workers = min(parallel, len(months))
    say(f"{len(months)} months, {workers} at once (one process each)")
    create_pools(instance, month_pools(config, sources))
    outcomes: dict[date, Outcome] = {}
    with worker_pool(workers) as pool:
        running = {
            pool.submit(_run_month_in_worker, config, url, month, sources, strict, accept_held): month
            for month in months
        }
        for done in as_completed(running):
            try:
                outcome, lines = done.result()
            except BrokenProcessPool:  # a worker was killed: this month's and the pending ones'
                outcome, lines = Outcome.FAILED, [died(running[done])]
            for line in lines:
                say(line)
            outcomes[running[done]] = outcome
    return [outcomes[month] for month in months]
