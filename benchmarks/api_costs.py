"""API latency benchmark: /costs under simulation pricing views, and /costs/compare.

Builds the mart the way the platform does, in a database of its own: the 12 months x 1,000,000
FOCUS rows of the ingest benchmark (2,000 applications, 500 products; the same cached files)
through the real asset graph; then a catalog (every application owned by one of 50 teams) and a
budget rate card (each product at its year's actual rate plus 5%, in the currency it is most
billed in, with FX rates to EUR), and every month valued again. Creates simulation views through
the API, scoped on the largest family, a large product and an application, and times requests
through the real app in process (Litestar's AsyncTestClient: routing, validation, the query,
msgspec encoding; no network). Prints p50/p95/max per request and, for the dashboard requests
and for the exports and outliers apart, the worst p95 against the user's 500 ms bar.

    python -m benchmarks.api_costs                     # 12 months x 1,000,000 rows
    python -m benchmarks.api_costs --rows 100000 --requests 20

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import psycopg
from dagster import DagsterInstance, materialize
from litestar.testing import AsyncTestClient

from benchmarks.ingest import REPO, dataset, drop_database, migrated_bench_database, say, timed_month
from finops_api.app import create_app
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.graph import build_assets
from finops_assets.mart.assets import ALLOCATION_KEY, COST_VIEWS_KEY, VALUATION_KEY
from finops_assets.referentials.assets import CATALOG_KEY, PRICING_KEY
from finops_assets.resources import MartResource
from finops_core.api_config import ApiConfig, AuthConfig
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.months import add_months, format_month

BAR_MS = 500.0
"""The user's bar for an API answer; the target is 10 times under it at p95."""
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
# The scopes of the simulations: the largest (most rows) family, the largest product of another
# family, and two application teams' applications (not the lines no tag maps): the median one
# (by rows), and the largest, an outlier with 25 times the median's rows.
_SCOPES = """
WITH family AS (
    SELECT family_code FROM finops.cost_by_product WHERE pricing_view_code = 'actual'
     GROUP BY family_code ORDER BY count(*) DESC, family_code LIMIT 1
), application AS (
    SELECT application_code, row_number() OVER (ORDER BY count(*), application_code) AS rank,
           count(*) OVER () AS applications
      FROM finops.cost_by_product
     WHERE pricing_view_code = 'actual' AND application_code <> 'unallocated'
     GROUP BY application_code
)
SELECT (SELECT family_code FROM family),
       (SELECT product_code FROM finops.cost_by_product
         WHERE pricing_view_code = 'actual' AND family_code <> (SELECT family_code FROM family)
         GROUP BY product_code ORDER BY count(*) DESC, product_code LIMIT 1),
       (SELECT application_code FROM application WHERE rank = (applications + 1) / 2),
       (SELECT application_code FROM application WHERE rank = applications)
"""


@dataclass(frozen=True)
class Scopes:
    family: str
    product: str
    application: str
    """The median application."""
    largest_application: str


@dataclass(frozen=True)
class Case:
    label: str
    path: str
    params: dict[str, str]
    dashboard: bool = True
    """A dashboard's request, which the target is for; False: an export or an outlier."""


@dataclass(frozen=True)
class Timing:
    case: Case
    rows: int
    p50_ms: float
    p95_ms: float
    max_ms: float


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


def simulation_scopes(url: str) -> Scopes:
    with psycopg.connect(url) as conn:
        row = conn.execute(_SCOPES).fetchone()
    assert row is not None
    return Scopes(*row)


def simulations(scopes: Scopes, months: tuple[date, ...]) -> list[dict[str, object]]:
    second_half = format_month(months[len(months) // 2])
    family_plus_ten = {"scope": {"level": "family", "code": scopes.family}, "kind": "percent", "value": "10"}
    product_price = {
        "scope": {"level": "product", "code": scopes.product},
        "kind": "price",
        "value": "0.05",
        "from": second_half,
    }

    def application_plus(code: str) -> dict[str, object]:
        return {"scope": {"level": "application", "code": code}, "kind": "absolute", "value": "0.01"}

    return [
        {
            "code": "sim-family",
            "name": "A family +10%",
            "base_view": "actual",
            "adjustments": [family_plus_ten],
        },
        {
            "code": "sim-mixed",
            "name": "A family +10%, a product at 0.05 from mid-year, an application +0.01 a unit",
            "base_view": "actual",
            "adjustments": [family_plus_ten, product_price, application_plus(scopes.application)],
        },
        {
            "code": "sim-largest",
            "name": "sim-mixed with the largest application",
            "base_view": "actual",
            "adjustments": [family_plus_ten, product_price, application_plus(scopes.largest_application)],
        },
    ]


def cases(scopes: Scopes, first: date, last: date) -> list[Case]:
    year = {"from": format_month(first), "to": format_month(last)}
    quarter = {"from": format_month(add_months(last, -2)), "to": format_month(last)}
    app, largest = {"application": scopes.application}, {"application": scopes.largest_application}

    def costs(label: str, params: dict[str, str], dashboard: bool = True) -> Case:
        return Case(label, "/api/v1/costs", params, dashboard)

    def compare(label: str, params: dict[str, str], dashboard: bool = True) -> Case:
        return Case(label, "/api/v1/costs/compare", params, dashboard)

    return [
        costs(
            "costs, family sim, by month x family",
            {"view": "sim-family", "group_by": "month,domain,family", **year},
        ),
        costs(
            "costs, mixed sim, by month x family",
            {"view": "sim-mixed", "group_by": "month,domain,family", **year},
        ),
        costs(
            "costs, mixed sim, by quarter x owner", {"view": "sim-mixed", "group_by": "quarter,owner", **year}
        ),
        costs(
            "costs, mixed sim, by owner x family, a quarter",
            {"view": "sim-mixed", "group_by": "owner,family", **quarter},
        ),
        costs(
            "costs, mixed sim, an application by month x product",
            {"view": "sim-mixed", "group_by": "month,product", **app, **year},
        ),
        compare(
            "compare, mixed sim vs actual, by domain",
            {"view": "sim-mixed", "against": "actual", "group_by": "domain", **year},
        ),
        compare(
            "compare, actual vs budget, by month x family",
            {"view": "actual", "against": BUDGET, "group_by": "month,family", **year},
        ),
        compare(
            "compare, mixed sim vs budget, by owner, a quarter",
            {"view": "sim-mixed", "against": BUDGET, "group_by": "owner", **quarter},
        ),
        compare(
            "compare, mixed sim vs actual, an application by product",
            {"view": "sim-mixed", "against": "actual", "group_by": "month,product", **app, **year},
        ),
        compare(
            "compare, actual vs previous quarter, by family",
            {"view": "actual", "against_period": "previous_quarter", "group_by": "family", **quarter},
        ),
        costs(
            "costs, largest-application sim, by month x family",
            {"view": "sim-largest", "group_by": "month,domain,family", **year},
            False,
        ),
        costs(
            "costs, mixed sim, the largest application by month x product",
            {"view": "sim-mixed", "group_by": "month,product", **largest, **year},
            False,
        ),
        costs(
            "costs, mixed sim, by application, a quarter",
            {"view": "sim-mixed", "group_by": "application", **quarter},
            False,
        ),
        costs(
            "costs, mixed sim, by month x application",
            {"view": "sim-mixed", "group_by": "month,application", **year},
            False,
        ),
        compare(
            "compare, mixed sim vs budget, by application, a quarter",
            {"view": "sim-mixed", "against": BUDGET, "group_by": "application", **quarter},
            False,
        ),
        compare(
            "compare, actual vs previous month, by application",
            {"view": "actual", "against_period": "previous_month", "group_by": "application", **quarter},
            False,
        ),
    ]


async def timed(client: AsyncTestClient, case: Case, requests: int) -> Timing:  # type: ignore[type-arg]
    response = await client.get(case.path, params=case.params)  # warm-up, and a check
    if response.status_code != 200:
        raise SystemExit(f"{case.path} {case.params}: {response.status_code} {response.text}")
    rows = len(response.json()["rows"])
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        await client.get(case.path, params=case.params)
        seconds.append(time.perf_counter() - started)
    timing = Timing(
        case,
        rows,
        statistics.median(seconds) * 1000,
        statistics.quantiles(seconds, n=20)[-1] * 1000,
        max(seconds) * 1000,
    )
    say(f"  {case.label}: {rows:,} rows, p50 {timing.p50_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms, "
        f"max {timing.max_ms:.1f} ms")  # fmt: skip
    return timing


async def measure(url: str, months: tuple[date, ...], requests: int) -> list[Timing]:
    scopes = simulation_scopes(url)
    say(f"scopes: family {scopes.family}, product {scopes.product}, application {scopes.application} "
        f"(median), largest application {scopes.largest_application}")  # fmt: skip
    async with AsyncTestClient(app=create_app(url, api=ApiConfig(auth=AuthConfig(mode="none")))) as client:
        for simulation in simulations(scopes, months):
            created = await client.post("/api/v1/pricing-views/simulations", json=simulation)
            if created.status_code != 201:
                raise SystemExit(f"creating the simulation: {created.text}")
        return [await timed(client, case, requests) for case in cases(scopes, months[0], months[-1])]


def report(timings: list[Timing]) -> None:
    for dashboard, title in ((True, "Dashboard requests (the target)"), (False, "Exports and outliers")):
        group = [t for t in timings if t.case.dashboard == dashboard]
        say(f"\n{title}\n\n| request | rows | p50 | p95 |\n|---|---|---|---|")
        for t in group:
            query = "&".join(f"{k}={v}" for k, v in t.case.params.items())
            say(f"| {t.case.label} (`{t.case.path.removeprefix('/api/v1')}?{query}`) | {t.rows:,} | "
                f"{t.p50_ms:.1f} ms | {t.p95_ms:.1f} ms |")  # fmt: skip
        worst = max(group, key=lambda t: t.p95_ms)
        say(f"\nworst p95: {worst.p95_ms:.1f} ms ({worst.case.label}) = the {BAR_MS:.0f} ms bar / "
            f"{BAR_MS / worst.p95_ms:.1f}")  # fmt: skip


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mart_arguments(parser)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    with bench_mart(args, "api-home") as (url, months, _):
        report(asyncio.run(measure(url, months, args.requests)))


if __name__ == "__main__":
    main()
