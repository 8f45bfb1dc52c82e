"""A backfill of every month, serial and in parallel, through the Dagster UI's path and the CLI.

    .venv/bin/python -m benchmarks.dagster_backfill --months 12 --rows 20000 \\
        --parallel 2 --repeat 3 --limits 1,2

The demo's workspace (its sources, catalog, pricing and allocation) with `--rows` FOCUS
rows a month, built several ways into fresh databases on the benchmark's server
(FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL):

- `cli`: `finops materialize` in-process, month after month (one Python process);
- `cli --parallel N`: the same runs, N months at once in worker processes (finops_cli/parallel.py);
  the CLI's settings are measured in turn, `--repeat` rounds, and their medians compared;
- `ui, N runs at once`: `dagster dev` (webserver and daemon, run storage in PostgreSQL), the
  `referentials` job then a partition backfill of `month_assets` launched through GraphQL as the
  UI launches them; the daemon's run queue starts at most N runs at once, each in a process of
  its own executing its steps in-process, their ingest and load steps bounded by the pools of
  dagster.yaml (`source/<name>`, `mart_load`).

Each way's wall time runs from the first launch to the last run's end; the read model
cost_by_product is compared (md5) with the CLI's: the same mart, whatever the path.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
from dagster import DagsterInstance, DagsterRunStatus, RunRecord, RunsFilter

from benchmarks.ingest import REPO, bench_database, drop_database, migrated_bench_database, say
from finops_assets.demo.workspace import write_workspace
from finops_assets.partitions import partition_range
from finops_cli.commands import months_between, run_months
from finops_cli.dagster_home import host_cores, write_dagster_home
from finops_core.config import PlatformConfig, load_config
from finops_core.database import as_url
from finops_core.migrations import upgrade
from finops_core.months import format_month

PARTITION_SET = "month_assets_partition_set"
REPOSITORY = {"repositoryLocationName": "finops", "repositoryName": "__repository__"}
LAUNCH_RUN = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
LAUNCH_BACKFILL = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
DONE = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
MART_CHECKSUM = "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM finops.cost_by_product AS t"


def checksum(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute(MART_CHECKSUM).fetchone()
    assert row is not None
    return str(row[0])


def graphql(port: int, query: str, params: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query, "variables": {"p": params}},
                        timeout=60)  # fmt: skip
    answer.raise_for_status()
    data: dict[str, Any] = next(iter(answer.json()["data"].values()))
    if data["__typename"] not in ("LaunchRunSuccess", "LaunchBackfillSuccess"):
        raise SystemExit(f"GraphQL: {data}")
    return data


def wait_runs(instance: DagsterInstance, filters: RunsFilter, count: int) -> list[RunRecord]:
    """Wait for `count` runs to end, all successful; return their records."""
    while True:
        records = instance.get_run_records(filters=filters)
        if len(records) >= count and all(r.dagster_run.status in DONE for r in records):
            failed = [
                r.dagster_run.run_id for r in records if r.dagster_run.status != DagsterRunStatus.SUCCESS
            ]
            if failed:
                raise SystemExit(f"runs failed: {failed}")
            return list(records)
        time.sleep(0.5)


def in_process(records: list[RunRecord]) -> float:
    """The runs' median duration in their process (from the run's start, its process up, to its
    end)."""
    return statistics.median((r.end_time or 0) - (r.start_time or 0) for r in records)


def timeline(records: list[RunRecord], launched: float) -> str:
    """Where a backfill's time went: when its runs were created (seconds after the backfill's
    launch), how long each waited from its creation to its process's start (the run queue's
    dequeue and the launch of a process that imports Dagster and loads the code location), and
    how long it then ran."""
    created = sorted(r.create_timestamp.timestamp() - launched for r in records)
    waited = statistics.median((r.start_time or 0) - r.create_timestamp.timestamp() for r in records)
    return (
        f"runs created {created[0]:.1f}-{created[-1]:.1f} s after the launch; from its creation to "
        f"its start a run waited {waited:.1f} s (median), then ran {in_process(records):.1f} s"
    )


@contextmanager
def dagster_dev(env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    with log.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "dagster", "dev", "-w", str(REPO / "workspace.yaml"), "-p", str(port)],
            env=env, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/server_info", timeout=2).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"dagster dev did not start; see {log}")
        yield
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def through_the_ui(
    admin: str, workspace_config: Path, months: list[str], limit: int, port: int
) -> tuple[float, float, str]:
    """(seconds, a month run's median seconds in its process, cost_by_product md5) of the
    referentials run then the backfill, `limit` runs at once."""
    mart_name, mart = bench_database(admin)
    storage_name, storage = bench_database(admin)
    try:
        upgrade(mart)  # as `finops demo` does before it serves; timed: the runs alone
        with tempfile.TemporaryDirectory() as folder:
            home = write_dagster_home(Path(folder) / "dagster", limit)
            env = {**os.environ, "DAGSTER_HOME": str(home), "FINOPS_CONFIG": str(workspace_config),
                   "FINOPS_DATABASE_URL": mart, "FINOPS_DAGSTER_STORAGE_URL": as_url(storage),
                   "FINOPS_HOME": folder}  # fmt: skip
            os.environ["FINOPS_DAGSTER_STORAGE_URL"] = as_url(storage)  # for this process's instance
            with dagster_dev(env, port, Path(folder) / "dagster.log"), _instance(home) as instance:
                started = time.perf_counter()
                referentials = {"selector": {**REPOSITORY, "jobName": "referentials"}, "runConfigData": {}}
                run = graphql(port, LAUNCH_RUN, referentials)["run"]
                wait_runs(instance, RunsFilter(run_ids=[run["runId"]]), 1)
                partition_set = {"repositorySelector": REPOSITORY, "partitionSetName": PARTITION_SET}
                params = {"selector": partition_set, "partitionNames": months}
                launched = time.time()  # float ok: seconds, against the run records' timestamps
                backfill = graphql(port, LAUNCH_BACKFILL, params)["backfillId"]
                records = wait_runs(instance, RunsFilter(tags={"dagster/backfill": backfill}), len(months))
                elapsed = time.perf_counter() - started
                say(f"ui, {limit} at once: {timeline(records, launched)}")
        return elapsed, in_process(records), checksum(mart)
    finally:
        drop_database(admin, mart_name)
        drop_database(admin, storage_name)


@contextmanager
def _instance(home: Path) -> Iterator[DagsterInstance]:
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with DagsterInstance.get() as instance:
            yield instance
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous


def through_the_cli(workspace_config: Path, parallel: int = 1) -> tuple[float, str]:
    """(seconds, cost_by_product md5) of `finops materialize` of every month, `parallel` at once."""
    config = load_config(workspace_config)
    admin, name, url = migrated_bench_database(Path(tempfile.gettempdir()))
    os.environ.pop("DAGSTER_HOME", None)  # runs in memory, as without an instance
    try:
        started = time.perf_counter()
        run_months(config, url, config_months(config), None, strict=False, parallel=parallel)
        return time.perf_counter() - started, checksum(url)
    finally:
        drop_database(admin, name)


def config_months(config: PlatformConfig) -> list[date]:
    first, last = partition_range(config)
    return months_between(first, last)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rows", type=int, default=20_000, help="FOCUS rows per month")
    parser.add_argument("--parallel", default=str(host_cores()), help="--parallel values of the CLI")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the CLI's settings (medians)")
    parser.add_argument("--limits", default=f"1,{host_cores()}", help="max_concurrent_runs values to measure")
    parser.add_argument("--port", type=int, default=3470)
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench" / "backfill")
    args = parser.parse_args()

    workspace = write_workspace(args.data_dir, args.months, args.rows)
    config = load_config(workspace.config_path)
    months = [m.isoformat() for m in config_months(config)]
    admin = os.environ.get("FINOPS_BENCH_DATABASE_URL") or os.environ.get("FINOPS_TEST_DATABASE_URL")
    if not admin:
        raise SystemExit("set FINOPS_BENCH_DATABASE_URL to a server where the benchmark may create databases")
    say(f"{len(months)} months ({format_month(config_months(config)[0])} on) x {args.rows:,} FOCUS rows "
        f"+ the demo's other sources; {host_cores()} core(s)")  # fmt: skip
    rows: list[tuple[str, float, float | None, str]] = []
    # the CLI's settings in turn, `--repeat` rounds: the machine's load moves between rounds,
    # the medians compare settings measured under the same spells of load
    settings = [1, *(int(v) for v in args.parallel.split(",") if v)]
    seconds_of: dict[int, list[float]] = {parallel: [] for parallel in settings}
    digests_of: dict[int, set[str]] = {parallel: set() for parallel in settings}
    for _ in range(args.repeat):
        for parallel in settings:
            seconds, digest = through_the_cli(workspace.config_path, parallel)
            seconds_of[parallel].append(seconds)
            digests_of[parallel].add(digest)
            say(f"cli --parallel {parallel}: {seconds:.1f} s")
    if len(digests_of[1]) != 1:
        raise SystemExit(f"the serial CLI's cost_by_product differs between rounds: {digests_of[1]}")
    [reference] = digests_of[1]
    for parallel in settings:
        name = "cli, months in turn (one process)" if parallel == 1 else f"cli --parallel {parallel}"
        runs = ", ".join(f"{v:.1f}" for v in seconds_of[parallel])
        say(f"{name}: {runs} s")
        digest = reference if digests_of[parallel] == {reference} else "differs"
        rows.append((name, statistics.median(seconds_of[parallel]), None, digest))
    for limit in (int(v) for v in args.limits.split(",") if v):
        seconds, in_run, digest = through_the_ui(admin, workspace.config_path, months, limit, args.port)
        rows.append((f"ui backfill, max_concurrent_runs={limit}", seconds, in_run, digest))
        say(f"ui, {limit} at once: {seconds:.1f} s")
    serial = {"cli": rows[0][1], "ui": next((r[1] for r in rows if r[0].endswith("runs=1")), None)}
    say("")
    say(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")  # float ok
    say("| path | wall time (s) | s per month | x faster than its serial | a month's run (s, median) "
        "| cost_by_product as the serial CLI's (md5) |")  # fmt: skip
    say("|---|---:|---:|---:|---:|---|")
    for name, seconds, month_run, digest in rows:
        same = "yes" if digest == reference else "NO"
        base = serial["cli" if name.startswith("cli") else "ui"]
        speedup = f"{base / seconds:.2f}" if base else "-"  # float ok
        run = f"{month_run:.1f}" if month_run is not None else "-"
        say(f"| {name} | {seconds:.1f} | {seconds / len(months):.2f} | {speedup} | {run} | {same} |")


if __name__ == "__main__":
    main()
