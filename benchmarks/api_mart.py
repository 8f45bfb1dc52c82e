"""The mart the API benchmarks read (benchmarks/api_costs.py, http_load.py, months36.py), built
the way the platform does, in a database of its own: the ingest benchmark's FOCUS files (the
same cached files) through the real asset graph, then a catalog (every application owned by one
of TEAMS groups) and a budget rate card (each product at its year's actual rate plus 5%, in the
currency it is most billed in, with FX rates to EUR), and every month valued again."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import psycopg
from dagster import DagsterInstance, materialize

from benchmarks.ingest import REPO, dataset, drop_database, migrated_bench_database, say, timed_month
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.graph import build_assets
from finops_assets.mart.assets import ALLOCATION_KEY, COST_VIEWS_KEY, VALUATION_KEY
from finops_assets.referentials.assets import CATALOG_KEY, PRICING_KEY
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.months import format_month

BUDGET = "budget"
TEAMS = 50

# Each product's actual rate over the year (cost / quantity) in the currency it is most billed
# in: a rate card has one price per product and month.
_YEAR_RATES = """
SELECT DISTINCT ON (product_code) product_code, currency, sum(cost) / sum(quantity) AS rate
  FROM finops.cost_by_product
 WHERE pricing_view_code = 'actual'
 GROUP BY product_code, currency
HAVING sum(quantity) <> 0
 ORDER BY product_code, sum(quantity) DESC, currency
"""


def write_budget(url: str, folder: Path, months: tuple[date, ...]) -> int:
    """A rate card at each product's year rate + 5% (6 decimals), and FX rates to EUR for every
    month and billing currency; returns the number of prices."""
    with psycopg.connect(url) as conn:
        rates = conn.execute(_YEAR_RATES).fetchall()
    prices = [
        {
            "product": product,
            "unit_price": str(round(rate * Decimal("1.05"), 6)),
            "currency": currency,
        }
        for product, currency, rate in rates
    ]
    folder.mkdir(parents=True, exist_ok=True)
    views = {"pricing_views": [{"code": BUDGET, "name": "Budget", "currency": "EUR", "prices": prices}]}
    (folder / "budget.yaml").write_bytes(msgspec.yaml.encode(views))
    currencies = sorted({currency for _, currency, _ in rates} - {"EUR"})
    fx = ["month,from_currency,to_currency,rate"] + [
        f"{format_month(month)},{currency},EUR,0.92" for month in months for currency in currencies
    ]
    (folder / "fx_rates.csv").write_text("\n".join(fx) + "\n")
    return len(prices)


def write_catalog(url: str, folder: Path, teams: int) -> int:
    """Every application the data names, each owned by one of teams groups; returns their number."""
    with psycopg.connect(url) as conn:
        codes = [
            code
            for (code,) in conn.execute(
                "SELECT DISTINCT application_code FROM finops.cost_by_product"
                " WHERE application_code <> 'unallocated' ORDER BY 1"
            )
        ]
    applications = [
        {"code": code, "name": code, "owner": f"group:default/team-{index % teams}"}
        for index, code in enumerate(codes)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "applications.yaml").write_bytes(msgspec.yaml.encode({"applications": applications}))
    return len(applications)


def value_again(config: PlatformConfig, month: date, mart: MartResource) -> float:
    """Seconds to apply the catalog and pricing files and value the month again (its ingest is
    kept)."""
    started = time.perf_counter()
    result = materialize(
        build_assets(config),
        selection=[CATALOG_KEY, PRICING_KEY, ALLOCATION_KEY, VALUATION_KEY, COST_VIEWS_KEY],
        partition_key=month.isoformat(),
        resources={"mart": mart},
        instance=DagsterInstance.ephemeral(),
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    if not result.success or failed:
        raise SystemExit(f"valuing {format_month(month)} failed: {failed or 'run failed'}")
    return time.perf_counter() - started


def build_mart(url: str, files_dir: Path, months: tuple[date, ...], home: Path) -> None:
    source = SourceConfig(name="bench", kind="focus", path=str(files_dir), application_tag="application")
    config = PlatformConfig(start_month=format_month(months[0]), sources=[source])
    mart = MartResource(database_url=url, landing_dir=str(home / "landing"))
    for month in months:
        elapsed, _ = timed_month(config, month, mart, "bench")
        say(f"  ingested {format_month(month)} in {elapsed:.1f} s")
    pricing, catalog = home / "pricing", home / "catalog"
    say(f"  budget rate card: {write_budget(url, pricing, months)} prices")
    say(f"  catalog: {write_catalog(url, catalog, TEAMS)} applications owned by {TEAMS} teams")
    priced = msgspec.structs.replace(config, pricing=str(pricing), catalog=str(catalog))
    for month in months:
        say(f"  valued {format_month(month)} again in {value_again(priced, month, mart):.1f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        # as autovacuum will have by the time dashboards read the months: valuing them again left
        # the first valuation's rows dead, and a vacuum running during the timings moved them
        conn.execute("VACUUM (ANALYZE)")
        counts = conn.execute(
            "SELECT count(*), count(DISTINCT application_code), count(DISTINCT product_code),"
            " count(DISTINCT pricing_view_code) FROM finops.cost_by_product"
        ).fetchone()
    rows, applications, products, views = counts or (0, 0, 0, 0)
    say(
        f"  cost_by_product: {rows:,} rows, {applications:,} applications, {products} products, {views} views"
    )


def mart_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the benchmark mart (the scale of its FOCUS files, where they are kept)."""
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rows", type=int, default=1_000_000, help="FOCUS rows per month")
    parser.add_argument("--applications", type=int, default=2_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench")
    parser.add_argument("--keep-database", action="store_true")


@contextmanager
def bench_mart(args: argparse.Namespace, home: str) -> Iterator[tuple[str, tuple[date, ...], list[Path]]]:
    """(database URL, months, Parquet files) of the mart the mart_arguments describe, built in
    a database of its own (dropped at the end unless --keep-database); home: its landing, catalog
    and pricing folder under the data dir."""
    months = demo_months(args.months)
    spec = DemoSpec(
        months=months, rows_per_month=args.rows, applications=args.applications, products=args.products
    )
    files_dir = args.data_dir / "parquet"
    files = dataset(spec, files_dir, "parquet")
    admin, name, url = migrated_bench_database(args.data_dir)
    say(f"database {name}; {args.months} months x {args.rows:,} rows; "
        f"{args.applications:,} applications, {args.products} products")  # fmt: skip
    try:
        started = time.perf_counter()
        build_mart(url, files_dir, months, args.data_dir / home)
        say(f"mart built in {time.perf_counter() - started:.0f} s")
        yield url, months, files
    finally:
        if not args.keep_database:
            drop_database(admin, name)
