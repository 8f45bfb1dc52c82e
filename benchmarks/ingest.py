"""End-to-end ingest benchmark: FOCUS files -> landing -> mart -> refreshed read models.

Generates months x rows FOCUS 1.2 demo rows as Parquet (plus, as CSV, the month before them:
a month of its own, whose valuation is of its own rows), materializes every month through the
real asset graph (`materialize_month`, as `finops materialize` does)
into a fresh database, and prints:

- source rows per second from file to refreshed read models, for Parquet and for CSV (the
  generated files are synced to disk first: their write-back is not timed);
- each step's time per month and its median over the months;
- the time to re-materialize one month, each of `--rematerialize` rounds, three times a round:
  re-delivered with every row's cost changed (the month lands again and is valued whole), then
  with one row's cost changed since (it lands again; one product is valued again), then its
  delivery unchanged (the landing is kept: nothing is read, nothing valued again), so that one
  figure is not taken for another;
- the mart's size on disk per table (heap and indexes, every month partition summed);
- the mart's steps of the last month timed alone, wall and database CPU time, `--mart-rounds`
  times (benchmarks/mart_steps.py: the CPU time is the figure to compare on a busy machine);
- the peak memory of one month's materialization, in a process of its own, against the
  month file's size.

    python -m benchmarks.ingest                      # 12 months x 1,000,000 rows
    python -m benchmarks.ingest --months 2 --rows 100000
    python -m benchmarks.ingest --months 3 --parquet-only   # no CSV month, no own-process month

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; a database of its own is created there and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from benchmarks.disk_sizes import disk_against_raw, mart_sizes
from benchmarks.machine import machine_line
from benchmarks.mart_steps import mart_step_times
from benchmarks.own_process import backfill_seconds, month_in_own_process
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.demo.generator.writer import write_dataset
from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.embedded import start_embedded
from finops_core.migrations import upgrade
from finops_core.months import format_month

REPO = Path(__file__).resolve().parents[1]


def say(message: str) -> None:
    print(message, flush=True)


def dataset(spec: DemoSpec, folder: Path, fmt: str) -> list[Path]:
    """The spec's files in folder, generated unless a previous run left the same ones."""
    marker = folder / "spec.json"
    wanted = json.dumps(asdict(spec), default=str, sort_keys=True)
    if marker.exists() and marker.read_text() == wanted:
        return sorted(folder.glob(f"focus_*.{fmt}"))
    started = time.perf_counter()
    # another spec's months would be read as this source's too
    for stale in folder.glob(f"focus_*.{fmt}"):
        stale.unlink()
    files = write_dataset(spec, folder, fmt)  # type: ignore[arg-type]
    marker.write_text(wanted)
    # the new files' pages written out now, not while the first months are timed (an 826 MB
    # CSV written back doubled the first Parquet months' billing_lines)
    os.sync()
    say(f"generated {len(files)} {fmt} file(s) in {time.perf_counter() - started:.1f} s")
    return files


def bench_database(admin_url: str) -> tuple[str, str]:
    name = f"finops_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = conninfo_to_dict(admin_url)
    params["dbname"] = name
    return name, make_conninfo("", **params)


def migrated_bench_database(data_dir: Path) -> tuple[str, str, str]:
    """(admin URL, name, URL) of a fresh migrated database on the benchmark's server."""
    admin = os.environ.get("FINOPS_BENCH_DATABASE_URL") or os.environ.get("FINOPS_TEST_DATABASE_URL")
    if not admin:
        admin = start_embedded(data_dir / "pgdata", database="postgres", keep_running=False)
    name, url = bench_database(admin)
    upgrade(url)
    return admin, name, url


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """The URL of a new migrated database on admin_url's server, dropped at the end."""
    name, url = bench_database(admin_url)
    try:
        upgrade(url)
        yield url
    finally:
        drop_database(admin_url, name)


def timed_month(
    config: PlatformConfig, month: date, mart: MartResource, source: str, reland: bool = False
) -> tuple[float, dict[str, float]]:
    """(seconds, the seconds of each step by step name) of one month's run; `reland`: the
    month lands even if a previous run of the benchmark landed the same files."""
    started = time.perf_counter()
    result = materialize_month(config, month, mart, [source], reland=reland)
    elapsed = time.perf_counter() - started
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    if not result.success or failed:
        raise SystemExit(f"{format_month(month)} failed: {failed or 'run failed'}")
    steps = {
        event.step_key.replace("__", "/"): event.step_success_data.duration_ms / 1000  # float ok
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS" and event.step_key
    }
    # Dagster's own time in the run: planning, events, the checks' and the IO managers' work
    # between the steps' bodies (materialize_month runs the steps one after the other)
    steps[OUTSIDE_STEPS] = elapsed - sum(steps.values())
    return elapsed, steps


OUTSIDE_STEPS = "(outside the steps)"


def step_list(steps: dict[str, float]) -> str:
    return ", ".join(f"{name.split('/')[-1]} {seconds:.2f}" for name, seconds in steps.items())


def step_medians(runs: list[dict[str, float]]) -> str:
    """Each step's median and range over runs, in the order the steps ran."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    lines = []
    for name in names:
        times = [run[name] for run in runs if name in run]
        lines.append(
            f"  {name:<42} median {statistics.median(times):5.2f} s  ({min(times):.2f}-{max(times):.2f})"
        )
    return "\n".join(lines)


UNCHANGED = "delivery unchanged (landing kept)"
REDELIVERED = "re-delivered, one cost changed (lands again)"
REDELIVERED_ALL = "re-delivered, every cost changed (lands again, valued whole)"
REMATERIALIZATIONS = (REDELIVERED_ALL, REDELIVERED, UNCHANGED)
"""A round's re-materializations, in turn: each delivery differs from the one before it as its
name says (one cost changed: since the round's first, every cost changed)."""


@contextmanager
def redelivered(path: Path) -> Iterator[Callable[[int, bool], None]]:
    """A function that re-delivers the month file: every row's cost raised by `round_`
    ten-thousandths (another content each round), and, unless `every`, the first row's by a
    hundred-thousandth more, so that a round's second delivery differs from its first by one
    cost. The file as generated is put back at the end, for the next run of the benchmark, when
    it was re-delivered (a copy put back needlessly would leave the landing's clone or hard link
    holding the old file's blocks)."""
    # hidden: a source reads no hidden file, nor names it among the files it left out
    original = path.with_name(f".{path.name}.generated")
    frame = pl.read_parquet(original if original.exists() else path)
    cost = frame.schema["EffectiveCost"]

    def redeliver(round_: int, every: bool) -> None:
        if not original.exists():
            shutil.copy2(path, original)
        raised = pl.col("EffectiveCost") + pl.lit(Decimal(round_) / 10_000)
        first = pl.int_range(pl.len()) == 0
        if not every:
            raised = pl.when(first).then(raised + pl.lit(Decimal(1) / 100_000)).otherwise(raised)
        changed = frame.with_columns(raised.cast(cost))
        changed.write_parquet(path, row_group_size=125_000)
        os.sync()  # the delivery's own write-back is the provider's, not the re-materialization's

    try:
        yield redeliver
    finally:
        if original.exists():
            os.replace(original, path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per month")
    parser.add_argument("--applications", type=int, default=2_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--rematerialize", type=int, default=3, help="re-materializations of the first month")
    parser.add_argument("--mart-rounds", type=int, default=5, help="runs of the mart steps timed alone")
    parser.add_argument(
        "--parquet-only", action="store_true", help="skip the CSV month and the month in its own process"
    )
    parser.add_argument(
        "--backfill-parallel", type=int, default=0, metavar="N",
        help="also time `finops materialize` of every month in turn and with --parallel N (fresh databases)",
    )  # fmt: skip
    args = parser.parse_args()

    # the CSV month is the month before the Parquet ones: its valuation and roll-ups are of
    # its own 1M lines, as a Parquet month's are of its own (in the last Parquet month they
    # valued 2M lines: 1.0 + 0.8 s against 0.45 + 0.35 s)
    csv_month, *months_list = demo_months(args.months + 1)
    months = tuple(months_list)
    spec = DemoSpec(
        months=months, rows_per_month=args.rows, applications=args.applications, products=args.products
    )
    parquet_files = dataset(spec, args.data_dir / "parquet", "parquet")
    csv_spec = DemoSpec(
        months=(csv_month,), rows_per_month=args.rows, applications=args.applications, products=args.products
    )
    csv_files = [] if args.parquet_only else dataset(csv_spec, args.data_dir / "csv", "csv")

    admin, name, url = migrated_bench_database(args.data_dir)
    home = args.data_dir / "home"
    config = PlatformConfig(
        start_month=format_month(csv_month),
        sources=[
            SourceConfig(name="bench_parquet", kind="focus", path=str(args.data_dir / "parquet"),
                         application_tag="application"),
            SourceConfig(name="bench_csv", kind="focus", path=str(args.data_dir / "csv"),
                         application_tag="application"),
        ],
    )  # fmt: skip
    config_path = args.data_dir / "finops.yaml"
    config_path.write_text(
        "sources:\n"
        + "".join(
            f"  - {{name: {s.name}, kind: focus, path: '{s.path}', application_tag: application}}\n"
            for s in config.sources
        )
    )
    mart = MartResource(database_url=url, landing_dir=str(home / "landing"))
    say(machine_line(url))
    say(f"database {name}; {args.months} months x {args.rows:,} rows; "
        f"{args.applications} applications, {args.products} products")  # fmt: skip
    with psycopg.connect(url) as conn:
        autovacuum = conn.execute("SHOW autovacuum").fetchone()
    if autovacuum and autovacuum[0] == "off":
        say("autovacuum is off on this server: the month partitions are vacuumed by the batch "
            "when it rewrites them, and never analyzed (their plans use default estimates)")  # fmt: skip
    try:
        seconds, runs = [], []
        for month in months:
            elapsed, steps = timed_month(config, month, mart, "bench_parquet", reland=True)
            seconds.append(elapsed)
            runs.append(steps)
            rate = args.rows / elapsed
            say(f"  parquet {format_month(month)}: {elapsed:6.2f} s {rate:>10,.0f} rows/s  "
                f"({step_list(steps)})")  # fmt: skip
        total_rows = args.rows * len(months)
        parquet_rate = total_rows / sum(seconds)
        say("Steps of a month, median over the months (first run of each month):")
        say(step_medians(runs))
        say("Mart and landing on disk after the first run of every month:")
        say(disk_against_raw(url, home / "landing" / "bench_parquet", parquet_files))
        remats: dict[str, list[float]] = {what: [] for what in REMATERIALIZATIONS}
        remat_runs: dict[str, list[dict[str, float]]] = {what: [] for what in REMATERIALIZATIONS}
        with redelivered(parquet_files[0]) as redeliver:
            for round_ in range(1, args.rematerialize + 1):
                for what in REMATERIALIZATIONS:
                    if what != UNCHANGED:
                        redeliver(round_, what == REDELIVERED_ALL)
                    remat_seconds, steps = timed_month(config, months[0], mart, "bench_parquet")
                    remats[what].append(remat_seconds)
                    remat_runs[what].append(steps)
                    say(f"  re-materialize {format_month(months[0])}, {what}: {remat_seconds:6.2f} s  "
                        f"({step_list(steps)})")  # fmt: skip
        for what, runs_of in remat_runs.items():
            if runs_of:
                say(f"Steps of a re-materialization, {what}, median:")
                say(step_medians(runs_of))
        if args.mart_rounds:
            say(f"The mart's steps of {format_month(months[-1])} alone, {args.mart_rounds} runs:")
            say(mart_step_times(url, months[-1], args.mart_rounds))
        if not args.parquet_only:
            csv_seconds, csv_steps = timed_month(config, csv_month, mart, "bench_csv", reland=True)
            with fresh_database(admin) as own_url:
                own = month_in_own_process(
                    own_url, args.data_dir / "parquet", args.data_dir / "own-process", months[1 % len(months)]
                )
        with psycopg.connect(url) as conn:
            facts = conn.execute("SELECT count(*) FROM finops.fact_consumption").fetchone()
            valued = conn.execute("SELECT count(*) FROM finops.cost_by_product").fetchone()
        parquet_size = statistics.mean(p.stat().st_size for p in parquet_files)
        say("")
        say(f"Parquet, end to end: {total_rows:,} rows in {sum(seconds):.1f} s = {parquet_rate:,.0f} rows/s "
            f"(per month: median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s)")  # fmt: skip
        if not args.parquet_only:
            say(f"CSV, end to end: {args.rows:,} rows ({csv_files[0].stat().st_size / 1e6:,.0f} MB) in "
                f"{csv_seconds:.2f} s = {args.rows / csv_seconds:,.0f} rows/s "
                f"({step_list(csv_steps)})")  # fmt: skip
        for what, times in remats.items():
            if times:
                say(f"Re-materialize one month (Parquet), {what}: median {statistics.median(times):.2f} s "
                    f"({', '.join(f'{r:.2f}' for r in times)})")  # fmt: skip
        if not args.parquet_only:
            if "failed" in own:
                say(f"One month in its own process: {own['failed']}")
            else:
                peak = int(str(own["peak_rss"]))
                say(f"One month in its own process (start-up included): {own['wall']:.2f} s, "
                    f"its own peak RSS {peak / 1e6:,.0f} MB = {peak / parquet_size:.1f} x its Parquet file "
                    f"({parquet_size / 1e6:,.0f} MB)")  # fmt: skip
        if args.backfill_parallel:
            work = args.data_dir / "backfills"
            for parallel in (1, args.backfill_parallel, 1, args.backfill_parallel):
                with fresh_database(admin) as backfill_url:
                    wall = backfill_seconds(config_path, backfill_url, work, months, parallel)
                say(f"Backfill, `finops materialize --from {format_month(months[0])} --to "
                    f"{format_month(months[-1])} --parallel {parallel}`: {wall:.1f} s = "
                    f"{total_rows / wall:,.0f} rows/s (process start-up included)")  # fmt: skip
        fact_rows, valued_rows = (facts or (0,))[0], (valued or (0,))[0]
        say(f"Mart: {fact_rows:,} fact rows, {valued_rows:,} cost_by_product rows")
        raw = sum(p.stat().st_size for p in parquet_files)
        say(f"Mart on disk at the end (raw Parquet files: {raw / 1e6:,.0f} MB):")
        say(mart_sizes(url))
    finally:
        if not args.keep_database:
            drop_database(admin, name)


if __name__ == "__main__":
    main()
