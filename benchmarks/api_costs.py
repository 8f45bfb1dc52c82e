"""API latency benchmark: /costs under a simulation pricing view, and /costs/compare.

Generates read models as the batch leaves them (cost_by_product for the actual view, then the
roll-ups with the batch's own statement) for months x applications x products, each
application consuming products_per_application of the products, in a database of its own;
creates a simulation view through the API; then times requests through the real app in
process (Litestar's AsyncTestClient: routing, validation, the query, msgspec encoding; no
network) and prints p50/p95/max per request.

    python -m benchmarks.api_costs                      # 12 months x 2,000 applications x 500 products
    python -m benchmarks.api_costs --applications 200 --requests 20

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; the database is dropped at the end.
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

import psycopg
from litestar.testing import AsyncTestClient

from benchmarks.ingest import REPO, bench_database, drop_database, say
from finops_api.app import create_app
from finops_core.embedded import start_embedded
from finops_core.migrations import upgrade
from finops_core.months import add_months, format_month
from finops_core.sql import sql_statements

# One month of cost_by_product: application a consumes products (a * 7 + k) mod products for
# k < per_application; product p is in family p mod 50, family f in domain f mod 10; one unit
# per family; prices and quantities vary with a, p and the month so no two rows are equal.
_MONTH_ROWS = """
INSERT INTO finops.cost_by_product
    (month, pricing_view_code, source, application_code, domain_code, family_code, product_code,
     currency, unit, quantity, cost, owner)
SELECT %(month)s, 'actual', 'bench', 'app-' || a, 'domain-' || (p %% 50) %% 10, 'family-' || p %% 50,
       'product-' || p, 'EUR', 'unit-' || p %% 50, q, round(q * (0.01 + (p %% 97) * 0.0013), 6),
       'group:default/team-' || a %% 40
  FROM generate_series(0, %(applications)s - 1) AS a,
       generate_series(0, %(per_application)s - 1) AS k,
       LATERAL (SELECT (a * 7 + k) %% %(products)s AS p) AS product,
       LATERAL (SELECT round((1 + (a * 31 + p * 17 + %(salt)s) %% 1000) * 0.5, 2) AS q) AS quantity
"""

SIMULATIONS = [
    {
        "code": "bench-family",
        "name": "Family 3 plus 10%",
        "base_view": "actual",
        "adjustments": [{"scope": {"level": "family", "code": "family-3"}, "kind": "percent", "value": "10"}],
    },
    {
        "code": "bench-sim",
        "name": "Family 3 plus 10%, then product 42 at 0.02 a unit",
        "base_view": "actual",
        "adjustments": [
            {"scope": {"level": "family", "code": "family-3"}, "kind": "percent", "value": "10"},
            {"scope": {"level": "product", "code": "product-42"}, "kind": "price", "value": "0.02"},
        ],
    },
]


def generate(url: str, months: list[date], applications: int, products: int, per_application: int) -> None:
    with psycopg.connect(url) as conn:
        for index, month in enumerate(months):
            started = time.perf_counter()
            for table in ("cost_by_product", "cost_by_application", "cost_by_family"):
                conn.execute(
                    "SELECT finops.ensure_month_partition(%s::regclass, %s)", [f"finops.{table}", month]
                )
            params = {
                "month": month,
                "applications": applications,
                "products": products,
                "per_application": per_application,
                "salt": index,
            }
            conn.execute(_MONTH_ROWS, params)
            for statement in sql_statements("batch/refresh_cost_rollups.sql"):
                conn.execute(statement, {"month": month})
            conn.commit()
            elapsed = time.perf_counter() - started
            say(f"  {format_month(month)}: {applications * per_application:,} rows in {elapsed:.1f} s")
        conn.execute("ANALYZE finops.cost_by_product, finops.cost_by_application, finops.cost_by_family")


async def timed(client: AsyncTestClient, path: str, params: dict[str, str], requests: int) -> list[float]:  # type: ignore[type-arg]
    response = await client.get(path, params=params)  # warm-up, and a check
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: {response.status_code} {response.text}")
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(path, params=params)
        seconds.append(time.perf_counter() - started)
    say(
        f"  {path}?{'&'.join(f'{k}={v}' for k, v in params.items())}: {len(response.json()['rows']):,} rows, "
        f"p50 {statistics.median(seconds) * 1000:.1f} ms, "
        f"p95 {statistics.quantiles(seconds, n=20)[-1] * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms"
    )
    return seconds


async def measure(url: str, first: date, last: date, requests: int) -> None:
    span = {"from": format_month(first), "to": format_month(last)}
    async with AsyncTestClient(app=create_app(url)) as client:
        for simulation in SIMULATIONS:
            created = await client.post("/api/v1/pricing-views/simulations", json=simulation)
            if created.status_code != 201:
                raise SystemExit(f"creating the simulation: {created.text}")
        quarter = {"from": format_month(add_months(last, -2)), "to": format_month(last)}
        costs, compare = "/api/v1/costs", "/api/v1/costs/compare"
        cases: list[tuple[str, dict[str, str]]] = [
            (costs, {"view": "actual", "group_by": "month,application", **span}),
            (costs, {"view": "bench-sim", "group_by": "month,application", **span}),
            (costs, {"view": "actual", "group_by": "month,domain,family", **span}),
            (costs, {"view": "bench-family", "group_by": "month,domain,family", **span}),
            (costs, {"view": "bench-sim", "group_by": "month,domain,family", **span}),
            (costs, {"view": "bench-sim", "group_by": "month,product", "application": "app-7", **span}),
            (costs, {"view": "bench-sim", "group_by": "quarter,owner", **span}),
            (compare, {"view": "bench-family", "against": "actual", "group_by": "domain", **quarter}),
            (compare, {"view": "bench-sim", "against": "actual", "group_by": "domain", **span}),
            (compare, {"view": "bench-sim", "against": "actual", "group_by": "month,application", **span}),
            (
                compare,
                {"view": "actual", "against_period": "previous_quarter", "group_by": "family", **quarter},
            ),
            (
                compare,
                {"view": "actual", "against_period": "previous_month", "group_by": "application", **quarter},
            ),
        ]
        for path, params in cases:
            await timed(client, path, params, requests)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--applications", type=int, default=2_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--products-per-application", type=int, default=100)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case")
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

    admin = os.environ.get("FINOPS_BENCH_DATABASE_URL") or os.environ.get("FINOPS_TEST_DATABASE_URL")
    if not admin:
        admin = start_embedded(args.data_dir / "pgdata", database="postgres", keep_running=False)
    name, url = bench_database(admin)
    upgrade(url)
    months = [add_months(date(2025, 1, 1), i) for i in range(args.months)]
    say(
        f"database {name}; {args.months} months x {args.applications:,} applications x "
        f"{args.products_per_application} of {args.products} products"
    )
    try:
        generate(url, months, args.applications, args.products, args.products_per_application)
        asyncio.run(measure(url, months[0], months[-1], args.requests))
    finally:
        if not args.keep_database:
            drop_database(admin, name)


if __name__ == "__main__":
    main()
