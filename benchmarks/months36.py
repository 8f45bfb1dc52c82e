"""36 months kept at a flat cost: a month's materialization and the dashboards' p95, month after
month, then the mart and landing on disk against the raw files, then `finops archive`.

Generates months x rows FOCUS rows as Parquet (the ingest benchmark's generator and file cache),
materializes them one after another through the real asset graph into a fresh database and,
after each month, times the dashboard requests of benchmarks/api_costs.py over the last 12
months (a dashboard's window: the same question every month, so its answer does not grow) in
process through the real app (its answer cache off: the SQL is what grows with
the months, not a memory hit). After the first month it writes the budget rate card and the
catalog and creates the simulations, as api_costs does, so every later month is valued under
all of them. Prints:

- per month: the materialization's seconds (and per step) and each dashboard request's p95;
- the series' flatness: median of months 2-4 vs 34-36, the ratio month 36 / month 2 and the
  least-squares slope from month 2 on;
- the mart's size on disk per table (pg_total_relation_size), the landing's (the provider's
  copies apart) and the raw Parquet files';
- `finops archive --before <month 25>` (months 1-24): its time, the answers of every dashboard
  request over the 36 months before and after (identical or the benchmark fails), the sizes after.

    python -m benchmarks.months36                      # 36 months x 300,000 rows
    python -m benchmarks.months36 --rows 1000000 --requests 20

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; its database is dropped at the end unless --keep-database.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from litestar.testing import AsyncTestClient

from benchmarks.api_costs import Case, cases, simulation_scopes, simulations
from benchmarks.api_mart import mart_arguments, value_again, write_budget, write_catalog
from benchmarks.ingest import REPO, dataset, drop_database, migrated_bench_database, say, timed_month
from benchmarks.machine import machine_line
from finops_api.app import create_app
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.resources import MartResource
from finops_cli.main import main as finops
from finops_core.api_config import ApiConfig, AuthConfig
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.months import add_months, format_month
from finops_core.settings import Settings

SOURCE = "bench"
WINDOW = 12
"""Months a dashboard shows."""
ARCHIVED = 24
"""The months `finops archive` moves at the end."""
_TABLE_SIZES = """
SELECT coalesce(parent.relname, c.relname) AS name, sum(pg_total_relation_size(c.oid))::bigint AS size
  FROM pg_class AS c
  JOIN pg_namespace AS n ON n.oid = c.relnamespace
  LEFT JOIN pg_inherits AS i ON i.inhrelid = c.oid
  LEFT JOIN pg_class AS parent ON parent.oid = i.inhparent
 WHERE n.nspname = 'finops' AND c.relkind IN ('r', 'm')
 GROUP BY 1 ORDER BY 2 DESC, 1
"""


def dashboard_cases(url: str, first: date, last: date) -> list[Case]:
    return [case for case in cases(simulation_scopes(url), first, last) if case.dashboard]


def app(url: str) -> AsyncTestClient:  # type: ignore[type-arg]
    # no answer cache: a repeated request would be answered from memory, and the read models' cost
    # as months accumulate is what is measured
    api = ApiConfig(auth=AuthConfig(mode="none"), answer_cache_megabytes=0)
    return AsyncTestClient(app=create_app(url, api=api))


async def create_simulations(url: str, months: tuple[date, ...]) -> None:
    async with app(url) as client:
        for simulation in simulations(simulation_scopes(url), months):
            created = await client.post("/api/v1/pricing-views/simulations", json=simulation)
            if created.status_code != 201:
                raise SystemExit(f"creating the simulation: {created.text}")


async def samples(url: str, asked: list[Case], requests: int, interleave: int = 1) -> list[list[float]]:
    """Each case's `requests` timings in ms (after one warm-up). interleave: the
    cases are taken that many at a time, their requests alternating, so that a burst of the
    shared machine's load falls on each of them alike."""
    result: list[list[float]] = []
    async with app(url) as client:
        for first in range(0, len(asked), interleave):
            group = asked[first : first + interleave]
            for case in group:
                response = await client.get(case.path, params=case.params)
                if response.status_code != 200:
                    raise SystemExit(f"{case.path} {case.params}: {response.status_code} {response.text}")
            seconds: list[list[float]] = [[] for _ in group]
            for _ in range(requests):
                for case, timings in zip(group, seconds, strict=True):
                    started = time.perf_counter()
                    await client.get(case.path, params=case.params)
                    timings.append(time.perf_counter() - started)  # float ok: a timing
            result.extend([t * 1000 for t in timings] for timings in seconds)
    return result


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


async def p95s(url: str, asked: list[Case], requests: int) -> list[float]:
    return [p95(timings) for timings in await samples(url, asked, requests)]


async def answers(url: str, asked: list[Case]) -> list[Any]:
    async with app(url) as client:
        return [(await client.get(case.path, params=case.params)).json() for case in asked]


def disk(folder: Path, raw: Path) -> tuple[int, int]:
    """(bytes of every file under folder, bytes of those under a source_files/ folder); a file
    hard-linked twice counts once, and not at all when it is one of the raw files (under
    FINOPS_LANDING_SOURCE_FILES=link: the raw files' bytes are counted in raw)."""
    seen = {p.stat().st_ino for p in raw.glob("*.parquet")}
    total = copies = 0
    for path in folder.rglob("*"):
        if path.is_file() and (stat := path.stat()).st_ino not in seen:
            seen.add(stat.st_ino)
            total += stat.st_size
            copies += stat.st_size if path.parent.name == "source_files" else 0
    return total, copies


def mart_sizes(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")  # autovacuum would have by the time anyone measured
        return [(name, size) for name, size in conn.execute(_TABLE_SIZES).fetchall()]


def print_sizes(url: str, landing: Path, files_dir: Path, raw: int, title: str) -> None:
    tables = mart_sizes(url)
    mart = sum(size for _, size in tables)
    total, copies = disk(landing, files_dir)
    say(f"\n{title}: raw Parquet {raw / 1e6:,.0f} MB; mart {mart / 1e6:,.0f} MB = {mart / raw:.2f} x raw; "
        f"landing {total / 1e6:,.0f} MB = {total / raw:.2f} x raw ({copies / 1e6:,.0f} MB of it the "
        f"provider's copies); mart + landing = {(mart + total) / raw:.2f} x raw (target <= 1), "
        f"without the copies {(mart + total - copies) / raw:.2f} x raw")  # fmt: skip
    say("  " + ", ".join(f"{name} {size / 1e6:,.1f}" for name, size in tables if size >= 1e6) + " (MB)")


def flatness(label: str, series: list[float]) -> str:
    """From month 2 on (month 1 pays the first-load costs): the medians of its thirds (robust to
    a shared machine's bursts, which move single months by 2-10x), month 36 / month 2 and the
    least-squares slope."""
    rest = series[1:]
    third = max(1, len(rest) // 3)
    medians = [statistics.median(part) for part in (rest[:third], rest[third:-third] or rest, rest[-third:])]
    slope = statistics.linear_regression(range(len(rest)), rest).slope if len(rest) > 1 else 0.0
    return (f"{label}: medians of the thirds from month 2 {' / '.join(f'{m:.2f}' for m in medians)} "
            f"(last / first third {medians[2] / medians[0]:.2f}); month {len(series)} / month 2 = "
            f"{series[-1] / series[1]:.2f}; slope {slope:+.4f} a month")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mart_arguments(parser)  # the api_costs benchmark's scale options, with this one's defaults
    parser.set_defaults(months=36, rows=300_000, data_dir=REPO / ".finops" / "bench36")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per dashboard case")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)

    months = demo_months(args.months)
    spec = DemoSpec(
        months=months, rows_per_month=args.rows, applications=args.applications, products=args.products
    )
    files_dir = args.data_dir / "parquet"
    raw = sum(p.stat().st_size for p in dataset(spec, files_dir, "parquet"))
    home = args.data_dir / f"home-{os.getpid()}"
    admin, name, url = migrated_bench_database(args.data_dir)
    config = PlatformConfig(
        start_month=format_month(months[0]),
        sources=[SourceConfig(name=SOURCE, kind="focus", path=str(files_dir), application_tag="application")],
    )
    mart = MartResource(database_url=url, landing_dir=str(home / "landing"))
    mode = Settings.from_env().landing_source_files
    say(machine_line(url))
    say(f"database {name}; {args.months} months x {args.rows:,} rows ({raw / 1e6:,.0f} MB of Parquet); "
        f"the landing keeps the provider's files as: {mode} (FINOPS_LANDING_SOURCE_FILES); "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    try:
        seconds, p95_series = [], []
        for number, month in enumerate(months, 1):
            elapsed, steps = timed_month(config, month, mart, SOURCE)
            if number == 1:  # the rate card and catalog of api_costs, from the first month's rates
                write_budget(url, home / "pricing", months)
                write_catalog(url, home / "catalog", 50)
                config = msgspec.structs.replace(
                    config, pricing=str(home / "pricing"), catalog=str(home / "catalog")
                )
                say(f"month 1 valued again under the rate card in {value_again(config, month, mart):.1f} s")
                asyncio.run(create_simulations(url, months))
                asked = dashboard_cases(url, month, month)
                say("dashboard requests: " + "; ".join(f"[{i}] {c.label}" for i, c in enumerate(asked, 1)))
            asked = dashboard_cases(url, max(months[0], add_months(month, 1 - WINDOW)), month)
            timings = asyncio.run(p95s(url, asked, args.requests))
            seconds.append(elapsed)
            p95_series.append(timings)
            say(f"month {number:2d} {format_month(month)}: {elapsed:5.2f} s ({steps}); p95 ms "
                + " ".join(f"[{i}] {t:.1f}" for i, t in enumerate(timings, 1))
                + f"; load {os.getloadavg()[0]:.2f}")  # fmt: skip

        say("\nFlatness from month 2 (month 1 pays the first load of the referentials)")
        say("  " + flatness("materialization s", seconds))
        for i in range(len(p95_series[0])):
            say("  " + flatness(f"[{i + 1}] p95 ms", [month[i] for month in p95_series]))
        # the same dashboards over the first and the last 12 months, requests alternating: one
        # moment of the machine for both, the fairest reading of growth with the months kept
        first_year = dashboard_cases(url, months[0], months[min(WINDOW, len(months)) - 1])
        last_year = dashboard_cases(url, months[-min(WINDOW, len(months))], months[-1])
        pairs = [case for pair in zip(first_year, last_year, strict=True) for case in pair]
        both = asyncio.run(samples(url, pairs, 3 * args.requests, interleave=2))
        say(f"\nWith {len(months)} months kept, the first year against the last, alternating, "
            f"{3 * args.requests} requests each (ms):")  # fmt: skip
        for i in range(len(first_year)):
            first, last = both[2 * i], both[2 * i + 1]
            a, b = statistics.median(first), statistics.median(last)
            say(f"  [{i + 1}] p50 {a:.1f} / {b:.1f} (last / first {b / a:.2f}); "
                f"p95 {p95(first):.1f} / {p95(last):.1f} "
                f"(last / first {p95(last) / p95(first):.2f})")  # fmt: skip
        print_sizes(url, home / "landing", files_dir, raw, f"On disk after {args.months} months")

        whole = dashboard_cases(url, months[0], months[-1])
        whole.append(Case("costs by month, all months", "/api/v1/costs", {"group_by": "month",
                          "from": format_month(months[0]), "to": format_month(months[-1])}))  # fmt: skip
        before = asyncio.run(answers(url, whole))
        os.environ |= {"FINOPS_DATABASE_URL": url, "FINOPS_HOME": str(home)}
        started = time.perf_counter()
        cut = format_month(months[min(ARCHIVED, len(months) - 1)])
        if finops(["archive", "--before", cut]) != 0:
            raise SystemExit("finops archive failed")
        archive_seconds = time.perf_counter() - started
        after = asyncio.run(answers(url, whole))
        if after != before:
            raise SystemExit("the answers changed after archiving")
        say(f"\n`finops archive --before {cut}`: {archive_seconds:.1f} s; the {len(whole)} answers over "
            f"all {args.months} months identical before and after")  # fmt: skip
        archived, _ = disk(home / "archive", files_dir)
        say(
            f"archive folder: {archived / 1e6:,.0f} MB, hard links of the files the landing held "
            "(one filesystem: no byte written)"
        )
        print_sizes(url, home / "landing", files_dir, raw, "On disk after archiving")
    finally:
        if not args.keep_database:
            drop_database(admin, name)


if __name__ == "__main__":
    main()
