"""Provider exports through the whole graph, beside FOCUS in the same run.

One demo month of FOCUS rows (finops_assets.demo) is written four ways: as FOCUS Parquet and
CSV, as a CUR 2.0 (Data Exports) Parquet file with its snake_case columns, and as an Azure EA
cost details CSV (MM/DD/YYYY dates, JSON tags). Each is materialized through the real asset graph
(`materialize_month`) into a fresh database, in rounds (the fastest counts: the machine is
shared), and once in a process of its own for its peak memory. Printed: rows per second end
to end and peak RSS, with each provider's time against FOCUS's in the same file format
(target: within 1.5x).

    python -m benchmarks.providers                   # 1,000,000 rows
    python -m benchmarks.providers --rows 100000

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; a database of its own is created there and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from benchmarks.ingest import (
    REPO,
    dataset,
    drop_database,
    migrated_bench_database,
    say,
    step_list,
    timed_month,
)
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.months import format_month

_TYPES = {"Usage": "Usage", "Tax": "Tax", "Credit": "Credit", "Purchase": "Fee", "Adjustment": "Rounding"}


def cur2(focus: pl.DataFrame) -> pl.DataFrame:
    """The FOCUS rows as a CUR 2.0 export names them."""
    return focus.select(
        pl.col("BillingPeriodStart").alias("bill_billing_period_start_date"),
        pl.col("ChargePeriodStart").alias("line_item_usage_start_date"),
        pl.col("ChargeCategory").replace_strict(_TYPES, default="Usage").alias("line_item_line_item_type"),
        pl.col("BillingCurrency").alias("line_item_currency_code"),
        pl.col("BilledCost").alias("line_item_unblended_cost"),
        pl.col("BilledCost").alias("line_item_blended_cost"),
        pl.col("PricingQuantity").alias("line_item_usage_amount"),
        pl.col("PricingUnit").alias("pricing_unit"),
        pl.col("ServiceName").alias("product_product_name"),
        pl.col("ServiceCategory").alias("product_product_family"),
        pl.col("SubAccountId").alias("line_item_usage_account_id"),
        pl.col("RegionId").alias("product_region_code"),
        pl.col("ResourceId").alias("line_item_resource_id"),
        pl.col("Tags").alias("resource_tags"),
    )


def azure_ea(focus: pl.DataFrame) -> pl.DataFrame:
    """The FOCUS rows as an Azure EA cost details CSV names and writes them."""

    def us_date(column: str) -> pl.Expr:
        text = pl.col(column).cast(pl.String)
        return pl.format("{}/{}/{}", text.str.slice(5, 2), text.str.slice(8, 2), text.str.slice(0, 4))

    return focus.select(
        us_date("BillingPeriodStart").alias("BillingPeriodStartDate"),
        us_date("ChargePeriodStart").alias("Date"),
        pl.col("SubAccountId").alias("SubscriptionId"),
        pl.col("ServiceName").alias("MeterCategory"),
        pl.col("ServiceCategory").alias("ServiceFamily"),
        pl.col("PricingQuantity").alias("Quantity"),
        pl.col("BilledCost").alias("CostInBillingCurrency"),
        pl.col("BillingCurrency"),
        pl.col("RegionId").alias("ResourceLocation"),
        pl.col("ResourceId"),
        pl.col("Tags"),
        pl.col("PricingUnit").alias("UnitOfMeasure"),
        pl.col("ChargeCategory").alias("ChargeType"),
    )


def peak_rss(config_path: Path, url: str, home: Path, month: str, source: str) -> int:
    """Peak RSS bytes of `finops materialize` for one source and month, in a process of its own.
    Read from the child's own VmHWM: getrusage's maxrss survives exec, so a child would report
    its parent's peak."""
    code = (
        "import sys; from finops_cli.main import main; code = main(sys.argv[1:]);"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')));"
        "sys.exit(code)"
    )
    env = os.environ | {
        "FINOPS_CONFIG": str(config_path),
        "FINOPS_DATABASE_URL": url,
        "FINOPS_HOME": str(home),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, "materialize", "--month", month, "--source", source],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.split()[-1]) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench-providers")
    parser.add_argument("--rounds", type=int, default=3, help="runs per source; the fastest counts")
    args = parser.parse_args()

    month = demo_months(1)[0]
    spec = DemoSpec(months=(month,), rows_per_month=args.rows, applications=2_000, products=500)
    (focus_file,) = dataset(spec, args.data_dir / "focus", "parquet")
    focus = pl.read_parquet(focus_file)
    for folder in ("focus_csv", "cur", "azure"):
        (args.data_dir / folder).mkdir(parents=True, exist_ok=True)
    focus.write_csv(args.data_dir / "focus_csv" / "focus.csv")
    cur2(focus).write_parquet(args.data_dir / "cur" / "cur2.parquet")
    azure_ea(focus).write_csv(args.data_dir / "azure" / "ea.csv")
    kinds = {"focus": "focus", "focus_csv": "focus", "cur": "aws-cur", "azure": "azure-cost-details"}
    # each provider against FOCUS in the same file format: Parquet for CUR 2.0, CSV for Azure
    baseline = {"focus": "focus", "focus_csv": "focus_csv", "cur": "focus", "azure": "focus_csv"}
    tag = {"cur": "application"}  # CUR 2.0 keys: the demo's JSON tags as they are
    # mapping coverage is not measured here (a small run's commitments are mostly untagged)
    sources = [
        SourceConfig(name=name, kind=kind, path=str(args.data_dir / name),  # type: ignore[arg-type]
                     application_tag=tag.get(name, "application"), coverage_threshold=0)
        for name, kind in kinds.items()
    ]  # fmt: skip
    config = PlatformConfig(start_month=format_month(month), sources=sources)
    config_path = args.data_dir / "finops.yaml"
    config_path.write_text(
        "sources:\n"
        + "".join(
            f"  - {{name: {s.name}, kind: {s.kind}, path: '{s.path}',"
            f" application_tag: {application_tag}, coverage_threshold: 0}}\n"
            for s in sources
            if (application_tag := s.application_tag)
        )
    )

    home = args.data_dir / "home"
    say(f"{format_month(month)}, {args.rows:,} rows per source, each in a database of its own")
    # the machine is shared: each source runs in every round, and its fastest round counts
    best: dict[str, tuple[float, dict[str, float]]] = {}
    peaks: dict[str, int] = {}
    for round_ in range(args.rounds):
        for source in kinds:
            # a database per source: valuation and roll-ups value only this source's month
            admin, name, url = migrated_bench_database(args.data_dir)
            mart = MartResource(database_url=url, landing_dir=str(home / "landing"))
            try:
                seconds, steps = timed_month(config, month, mart, source)
                if source not in best or seconds < best[source][0]:
                    best[source] = (seconds, steps)
                if round_ == 0:
                    peaks[source] = peak_rss(config_path, url, home, format_month(month), source)
            finally:
                drop_database(admin, name)
    for source, (seconds, steps) in best.items():
        size = sum(p.stat().st_size for p in (args.data_dir / source).iterdir())
        share = seconds / best[baseline[source]][0]
        say(
            f"{source:>9} ({kinds[source]}, {size / 1e6:,.0f} MB): {seconds:6.2f} s"
            f" = {args.rows / seconds:>9,.0f} rows/s, {share:.2f}x the time of {baseline[source]};"
            f" peak RSS {peaks[source] / 1e6:,.0f} MB  ({step_list(steps)})"
        )


if __name__ == "__main__":
    main()
