"""Tabular ingest with and without row filters: one generated CSV month read, normalised and
landed (`ingest_tabular_month`, what `<source>/billing_lines` runs), median of rounds.

    python -m benchmarks.tabular_filters                     # 1,000,000 rows, 3 rounds
    python -m benchmarks.tabular_filters --rows 200000 --no-filters

`--no-filters` runs only the unfiltered ingest, so that the same script measures code that has
no row filters (a checkout of main: PYTHONPATH=<checkout> python -m benchmarks.tabular_filters
--no-filters) beside this one, in the same run. Prints rows per second and the counts.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import polars as pl

from finops_assets.landing import LandingSlice
from finops_assets.sources.tabular.ingest import TabularOptions, ingest_tabular_month
from finops_core.tabular import TabularMapping

MAPPING = {
    "month": {"column": "day"},
    "application": {"column": "project"},
    "product": {"column": "service"},
    "quantity": {"column": "hours"},
    "cost": {"column": "cost"},
    "currency": "EUR",
    "unit": "h",
}
FILTERS = {"keep": {"status": ["billed", "adjusted"]}, "drop": {"project": {"regex": "^sandbox-"}}}
"""Filters 30% of the generated rows: status estimate (1 in 4) or a sandbox project (1 in 10)."""


def write_month(path: Path, rows: int) -> None:
    n = pl.col("n")
    pl.DataFrame({"n": pl.int_range(0, rows, eager=True)}).select(
        pl.format("2026-10-{}", (n % 28 + 1).cast(pl.String).str.zfill(2)).alias("day"),
        pl.when(n % 50 % 10 == 0)
        .then(pl.format("sandbox-{}", n % 50))
        .otherwise(pl.format("prj-{}", n % 50))
        .alias("project"),
        pl.format("svc-{}", n % 20).alias("service"),
        (n % 4).replace_strict([0, 1, 2, 3], ["billed", "adjusted", "estimate", "billed"]).alias("status"),
        (n % 97).cast(pl.String).alias("hours"),
        pl.format("{}.{}", n % 1000 // 100, (n % 100).cast(pl.String).str.zfill(2)).alias("cost"),
    ).write_csv(path)


def ingest_seconds(folder: Path, landing: Path, options: TabularOptions) -> tuple[float, Any]:
    slice_ = LandingSlice(landing, "bench", date(2026, 10, 1))
    started = time.perf_counter()  # float ok: a timing
    summary = ingest_tabular_month(folder, options, slice_)
    return time.perf_counter() - started, summary  # float ok: a timing


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-filters", action="store_true", help="only the unfiltered ingest")
    args = parser.parse_args()
    mapping = msgspec.convert(MAPPING, TabularMapping)
    cases: dict[str, TabularOptions] = {"no filters": TabularOptions(mapping)}
    if not args.no_filters:
        from finops_core.config import RowFilters

        cases["filters"] = TabularOptions(mapping, None, msgspec.convert(FILTERS, RowFilters))
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "bills"
        folder.mkdir()
        write_month(folder / "month.csv", args.rows)
        for name, options in cases.items():
            timings = []
            for round_ in range(args.rounds):
                seconds, summary = ingest_seconds(folder, Path(work) / f"landing-{name}-{round_}", options)
                timings.append(seconds)
            median = statistics.median(timings)
            filtered = getattr(summary, "rows_filtered", 0)
            print(
                f"{name}: {args.rows:,} rows in {median:.2f} s (median of {args.rounds}), "
                f"{args.rows / median:,.0f} rows/s; loaded {summary.rows_loaded:,}, "
                f"rejected {summary.rows_rejected:,}, filtered {filtered:,}"
            )


if __name__ == "__main__":
    main()
