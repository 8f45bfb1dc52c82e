"""A bill re-issued with every cost changed and its quantities as they were, with rate cards in
use: what re-materializing its month costs, step by step.

The month (FOCUS Parquet, generated as benchmarks/ingest.py does) is materialized once through
the real asset graph; then `--rate-cards` rate-card views pricing every usage product of the
month (and the month's USD -> EUR rate) are written as pricing files and the month is
materialized again, valued whole under them. Then the month's file is re-delivered `--rounds`
times with every row's cost raised (benchmarks/ingest.py, `redelivered`), and each
re-materialization is timed with its steps. The rate cards value quantities: their rows do not
change, so `mart/valuation` need only write `actual` and `actual-rate` again.

    python -m benchmarks.cost_redelivery                      # 1M rows, 2 rate cards, 5 rounds
    python -m benchmarks.cost_redelivery --rows 100000 --rate-cards 1 --rounds 3

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; a database of its own is created there and dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
from decimal import Decimal
from pathlib import Path

import msgspec
import psycopg

from benchmarks.ingest import (
    REPO,
    dataset,
    drop_database,
    migrated_bench_database,
    redelivered,
    say,
    step_list,
    step_medians,
    timed_month,
)
from benchmarks.machine import machine_line
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.months import format_month

SOURCE = "bench_parquet"


def write_rate_cards(url: str, folder: Path, count: int, month: str) -> int:
    """`count` rate cards pricing every usage product the mart knows, in EUR, and the month's
    USD -> EUR rate; returns the products priced."""
    with psycopg.connect(url) as conn:
        usage = "SELECT product_code FROM finops.dim_product WHERE NOT is_monetary AND valid_to IS NULL"
        products = [code for (code,) in conn.execute(usage + " ORDER BY 1")]
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        code = f"budget-{number}"
        with (folder / f"{code}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["product", "unit_price", "currency", "from", "to"])
            # prices that differ by product and card: 0.10 to 10.09 EUR
            writer.writerows([p, Decimal((n * 37 + number) % 1000 + 10) / 100, "EUR", month, month]
                             for n, p in enumerate(products))  # fmt: skip
        view = f"{{code: {code}, name: Budget {number}, currency: EUR, prices_file: {code}.csv}}"
        (folder / f"{code}.yaml").write_text(f"pricing_views:\n  - {view}\n")
    (folder / "fx_rates.csv").write_text(f"month,from_currency,to_currency,rate\n{month},USD,EUR,0.92\n")
    return len(products)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the month")
    parser.add_argument("--rate-cards", type=int, default=2, help="rate-card views in use")
    parser.add_argument("--rounds", type=int, default=5, help="re-deliveries timed")
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench")
    args = parser.parse_args()

    (month,) = demo_months(1)
    spec = DemoSpec(months=(month,), rows_per_month=args.rows, applications=2_000, products=500)
    files = dataset(spec, args.data_dir / "parquet", "parquet")
    work = args.data_dir / "cost-redelivery"
    shutil.rmtree(work, ignore_errors=True)
    admin, name, url = migrated_bench_database(args.data_dir)
    say(machine_line(url))
    mart = MartResource(database_url=url, landing_dir=str(work / "landing"))
    source = SourceConfig(name=SOURCE, kind="focus", path=str(args.data_dir / "parquet"),
                          application_tag="application")  # fmt: skip
    try:
        first = PlatformConfig(start_month=format_month(month), sources=[source])
        seconds, _ = timed_month(first, month, mart, SOURCE, reland=True)
        say(f"{format_month(month)}: {args.rows:,} rows materialized in {seconds:.2f} s")
        priced = write_rate_cards(url, work / "pricing", args.rate_cards, format_month(month))
        config = msgspec.structs.replace(first, pricing=str(work / "pricing"))
        seconds, steps = timed_month(config, month, mart, SOURCE)
        say(f"{args.rate_cards} rate card(s) of {priced} products applied, the month valued again "
            f"in {seconds:.2f} s ({step_list(steps)})")  # fmt: skip
        runs: list[dict[str, float]] = []
        totals: list[float] = []
        with redelivered(files[0]) as redeliver:
            for round_ in range(1, args.rounds + 1):
                redeliver(round_, True)
                seconds, steps = timed_month(config, month, mart, SOURCE)
                totals.append(seconds)
                runs.append(steps)
                say(f"  re-delivered, every cost changed: {seconds:6.2f} s  ({step_list(steps)})")
        with psycopg.connect(url) as conn:
            views = conn.execute(
                "SELECT pricing_view_code, count(*) FROM finops.cost_by_product GROUP BY 1 ORDER BY 1"
            ).fetchall()
        say("Steps of a re-delivery, median:")
        say(step_medians(runs))
        say(f"Re-materialize, every cost changed, {args.rate_cards} rate card(s): median "
            f"{statistics.median(totals):.2f} s ({', '.join(f'{t:.2f}' for t in totals)})")  # fmt: skip
        say("cost_by_product rows by view: " + ", ".join(f"{view} {rows:,}" for view, rows in views))
    finally:
        drop_database(admin, name)


if __name__ == "__main__":
    main()
