"""API latency benchmark: /costs under simulation pricing views, and /costs/compare.

Builds the mart the way the platform does, in a database of its own (benchmarks/api_mart.py):
the 12 months x 1,000,000 FOCUS rows of the ingest benchmark (2,000 applications, 500 products;
the same cached files) through the real asset graph; then a catalog (every application owned by
one of 50 teams) and a budget rate card (each product at its year's actual rate plus 5%, in the
currency it is most billed in, with FX rates to EUR), and every month valued again. Creates
simulation views through the API, scoped on the largest family, a large product and an
application, and times requests through the real app in process (Litestar's AsyncTestClient:
routing, validation, the query, msgspec encoding; no network). Prints p50/p95/max per request
and, for the dashboard requests and for the exports and outliers apart, the worst p95 against
the user's 500 ms bar.

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
from dataclasses import dataclass
from datetime import date

import psycopg
from litestar.testing import AsyncTestClient

from benchmarks.api_mart import BUDGET, bench_mart, mart_arguments
from benchmarks.ingest import say
from finops_api.app import create_app
from finops_core.api_config import ApiConfig, AuthConfig
from finops_core.months import add_months, format_month

BAR_MS = 500.0
"""The user's bar for an API answer; the target is 10 times under it at p95."""

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
