"""Reliability figures: kill -9 at each step boundary of a month's run, and concurrent runs of
one month, on small data (the harness of tests/test_atomic_publish.py), printed as the table of
the README's Reliability section.

Kill trials: February is loaded from a first delivery, a second one replaces the file, and
`finops materialize --month 2025-02` is started in a process of its own that kills itself
(SIGKILL) right after the named step (FINOPS_KILL_AFTER, finops_assets/faults.py). Every cost
grouping is then read through the real API:

- stale marked: February named stale by every answer including it and by /health;
- groupings disagreed: two groupings of one month gave different totals (what a reader would
  see with no mark: the probe's case);
- consistent during: every month agrees across groupings, or is marked stale wherever it appears;
- identical after re-run: after a plain re-run, the mart equals that of an uninterrupted run of
  the second delivery, and no month is stale.

Concurrency: N runs of February at once, each in a process of its own, while the API is read
in a loop: the reads that were consistent, the mart against one run's, duplicate lines.

    python -m benchmarks.reliability                  # 1 trial per kill point, 4 concurrent runs
    python -m benchmarks.reliability --trials 5 --concurrent 6

A trial takes 5-20 s (most of it the killed process's start: Dagster and polars imports), so the
default run takes one to three minutes.

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; a database of its own is created there and dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.ingest import drop_database, migrated_bench_database, say
from tests.pipeline import mart_snapshot, query
from tests.publication_faults import (
    FEBRUARY,
    JANUARY,
    KILL_POINTS,
    finops_materialize,
    materialize,
    materialize_killed,
    read_api,
    write_bills,
)

FEBRUARY_LINES = 4
"""Billing lines of the second delivery: more in the mart would be duplicates."""


@dataclass
class KillRow:
    kill_point: str
    trials: int = 0
    killed: int = 0
    stale_marked: int = 0
    disagreed: int = 0
    consistent: int = 0
    identical: int = 0


def kill_trial(home: Path, url: str, kill_point: str, reference: object, row: KillRow) -> None:
    write_bills(home / "bills", "first")
    materialize(home, url, FEBRUARY)
    write_bills(home / "bills", "second")
    row.trials += 1
    row.killed += materialize_killed(home, url, FEBRUARY, kill_point) == -9
    during = read_api(url)
    row.stale_marked += "2025-02" in during.marked_everywhere()
    row.disagreed += bool(during.disagreeing())
    row.consistent += during.consistent()
    materialize(home, url, FEBRUARY)
    row.identical += mart_snapshot(url) == reference and read_api(url).health_stale == {}


@dataclass(frozen=True)
class ConcurrencyRow:
    runs: int
    succeeded: int
    reads: int
    consistent_reads: int
    identical: bool
    duplicates: int


def concurrent_runs(home: Path, url: str, runs: int, reference: object) -> ConcurrencyRow:
    processes = [finops_materialize(home, url, FEBRUARY) for _ in range(runs)]
    reads = consistent = 0
    while any(process.poll() is None for process in processes):
        reads += 1
        consistent += read_api(url).consistent()
    (lines,) = query(url, "SELECT sum(line_count) FROM finops.fact_consumption WHERE month = %s", FEBRUARY)[0]
    return ConcurrencyRow(
        runs=runs,
        succeeded=sum(process.returncode == 0 for process in processes),
        reads=reads,
        consistent_reads=consistent,
        identical=mart_snapshot(url) == reference and read_api(url).health_stale == {},
        duplicates=int(lines) - FEBRUARY_LINES,
    )


def print_tables(kills: list[KillRow], concurrency: ConcurrencyRow) -> None:
    say(
        "| kill -9 after | trials | killed | stale marked | groupings disagreed | consistent during "
        "| identical after re-run |"
    )
    say("|---|---:|---:|---:|---:|---:|---:|")
    for r in kills:
        say(
            f"| `{r.kill_point}` | {r.trials} | {r.killed} | {r.stale_marked} | {r.disagreed} "
            f"| {r.consistent}/{r.trials} | {r.identical}/{r.trials} |"
        )
    c = concurrency
    say("")
    say(
        "| concurrent runs of one month | exit 0 | API reads during | consistent reads | identical "
        "| duplicates |"
    )
    say("|---:|---:|---:|---:|---|---:|")
    say(
        f"| {c.runs} | {c.succeeded}/{c.runs} | {c.reads} | {c.consistent_reads}/{c.reads} "
        f"| {'yes' if c.identical else 'NO'} | {c.duplicates} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=1, help="trials per kill point")
    parser.add_argument("--concurrent", type=int, default=4, help="runs of one month at once")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per API read otherwise
    logging.getLogger("finops_api.app").setLevel(logging.ERROR)  # auth mode none: on purpose here
    logging.getLogger("alembic").setLevel(logging.WARNING)  # each in-process run's Dagster instance
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="finops-reliability-") as folder:
        home = Path(folder)
        admin, name, url = migrated_bench_database(home)
        try:
            # the reference: an uninterrupted run of the second delivery
            write_bills(home / "bills", "second")
            materialize(home, url, JANUARY)
            materialize(home, url, FEBRUARY)
            reference = mart_snapshot(url)
            kills = [KillRow(point) for point in KILL_POINTS]
            for _ in range(args.trials):
                for row in kills:
                    kill_trial(home, url, row.kill_point, reference, row)
            concurrency = concurrent_runs(home, url, args.concurrent, reference)
        finally:
            drop_database(admin, name)
    print_tables(kills, concurrency)
    say(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
