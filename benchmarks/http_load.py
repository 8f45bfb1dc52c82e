"""HTTP load benchmark: the real server process (uvicorn workers) under a dashboard mix.

Builds the API benchmark's mart (benchmarks/api_costs.py: the ingest benchmark's FOCUS files
through the real asset graph, a catalog of 50 teams, a budget rate card, three simulations),
then serves it twice at once from `uvicorn --workers N` on 127.0.0.1: with `auth.mode:
backstage` against a local fake Backstage (JWKS and userinfo, as tests/api/fake_backstage.py
serves them; every request carries an ES256 user token of a viewer or a finance user) and with
`auth.mode: none`. An async httpx client sends the ten dashboard requests of api_costs.py and the
Backstage overview page's four, at each concurrency for a bounded time and request count,
alternating the two servers so that the machine's drift hits both alike. Prints rps,
p50/p95/p99 latency, errors and the cores the workers, PostgreSQL and the load generator used
per (auth mode, concurrency); auth's throughput ratio against `none` (target: at least 0.90);
the CSV export's effect on the workers' memory; and the same questions answered by DuckDB over
the raw Parquet files (benchmarks/duckdb_peer.py, `pip install -e '.[bench]'`), side by side.

    python -m benchmarks.http_load                    # 12 months x 1,000,000 rows, 30 s a level
    python -m benchmarks.http_load --months 2 --rows 50000 --seconds 5

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks.api_costs import bench_mart, cases, mart_arguments, simulation_scopes, simulations
from benchmarks.duckdb_peer import PeerTiming, Question, compare_with_api, questions
from benchmarks.http_server import Server, database_cpu, export_memory, serve
from benchmarks.ingest import say
from finops_core.api_config import ApiConfig, AuthConfig, BackstageAuth, Role
from finops_core.months import format_month
from tests.api.fake_backstage import FakeBackstage, serve_fake_backstage

FINANCE = "group:default/finance"
AUTH_TARGET = 0.90
"""Throughput with tokens verified and costs scoped, against auth none: at least 90%."""
MODES = ("backstage", "none")
FINANCE_ONLY = "backstage, finance users only"
SELF = psutil.Process()


@dataclass(frozen=True)
class Request:
    label: str
    path: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Level:
    mode: str
    concurrency: int
    seconds: float = 0.0
    client_cpu: float = 0.0
    """CPU seconds of the load generator (this process: the client and the fake Backstage)."""
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    """CPU seconds of the PostgreSQL backends (of both servers: the idle one's use none)."""
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def overview(first: date, last: date, currency: str) -> list[Request]:
    """What the Backstage overview page asks for (components/overview): the pricing views for its
    picker, costs by month and domain, then by application (mapped vs unallocated) and the
    movers of the last month in the main currency."""
    year = {"from": format_month(first), "to": format_month(last)}
    return [
        Request("overview: pricing views", "/api/v1/pricing-views", {}),
        Request(
            "overview: by month x domain", "/api/v1/costs", {"view": "actual", "group_by": "month,domain"}
        ),
        Request(
            "overview: by application (mapped share)",
            "/api/v1/costs",
            {"view": "actual", "currency": currency, "group_by": "application", **year},
        ),
        Request(
            "overview: movers",
            "/api/v1/costs/compare",
            {
                "view": "actual",
                "from": format_month(last),
                "to": format_month(last),
                "against_period": "previous_month",
                "group_by": "application",
                "currency": currency,
            },
        ),
    ]


def users(fake: FakeBackstage, viewers: int, finance: int, teams: int) -> list[dict[str, str]]:
    """Bearer headers of viewers (each of a team of the catalog) and finance users; their
    ownership comes from the fake's userinfo, as Backstage omits `ent` by default."""
    headers = []
    for index in range(viewers + finance):
        sub = f"user:default/{'finance' if index >= viewers else 'viewer'}-{index}"
        group = FINANCE if index >= viewers else f"group:default/team-{index % teams}"
        fake.ownership[sub] = [sub, group]
        headers.append({"Authorization": f"Bearer {fake.token(sub)}"})
    return headers


def mix(dashboard: list[Request], people: list[dict[str, str]]) -> list[Request]:
    """Every request as every user, in a fixed shuffled order."""
    requests = [Request(r.label, r.path, r.params, person) for r in dashboard for person in people]
    random.Random(10).shuffle(requests)
    return requests


async def run_level(
    base_url: str, level: Level, requests: list[Request], seconds: float, max_requests: int
) -> Level:
    limits = httpx.Limits(max_connections=level.concurrency, max_keepalive_connections=level.concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        counter: Iterator[int] = itertools.count()
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            while (n := next(counter)) < max_requests and time.perf_counter() < deadline:
                request = requests[n % len(requests)]
                sent = time.perf_counter()
                try:
                    response = await client.get(request.path, params=request.params, headers=request.headers)
                except httpx.HTTPError as error:
                    level.errors[type(error).__name__] += 1
                    continue
                if response.status_code == 200:
                    level.latencies.append(time.perf_counter() - sent)
                else:
                    level.errors[str(response.status_code)] += 1

        await asyncio.gather(*(worker() for _ in range(level.concurrency)))
        level.seconds = time.perf_counter() - started
    return level


def measure_level(level: Level, server: Server, requests: list[Request], args: argparse.Namespace) -> Level:
    client_cpu, server_cpu = sum(SELF.cpu_times()[:2]), server.cpu_seconds()
    backends = database_cpu(server.database_url)
    asyncio.run(run_level(server.url, level, requests, args.seconds, args.max_requests))
    level.client_cpu = sum(SELF.cpu_times()[:2]) - client_cpu
    level.server_cpu = server.cpu_seconds() - server_cpu
    level.database_cpu = sum(
        used - backends.get(pid, 0.0) for pid, used in database_cpu(server.database_url).items()
    )
    say(f"  {level.mode} c{level.concurrency}: {level.rps:.1f} rps, p95 {level.percentile(0.95):.1f} ms, "
        f"errors {sum(level.errors.values())}")  # fmt: skip
    return level


def one_at_a_time(
    servers: dict[str, Server], shapes: list[Request], people: list[dict[str, str]], times: int
) -> None:
    """Each request's median latency alone (no queue): as a viewer, as finance, without auth."""
    callers = [("viewer", servers["backstage"], people[0]), ("finance", servers["backstage"], people[-1]),
               ("auth none", servers["none"], {})]  # fmt: skip
    say("\nOne request at a time, median of each (what scoping costs a request)\n")
    say("| request | viewer | finance | auth none |\n|---|---|---|---|")
    for shape in shapes:
        medians = []
        for _, server, headers in callers:
            with httpx.Client(base_url=server.url, timeout=120, headers=headers) as client:
                seconds = []
                for _ in range(times):
                    started = time.perf_counter()
                    client.get(shape.path, params=shape.params).raise_for_status()
                    seconds.append(time.perf_counter() - started)
            medians.append(f"{statistics.median(seconds) * 1000:.1f} ms")
        say(f"| {shape.label} | {' | '.join(medians)} |")


def check(server: Server, requests: list[Request]) -> None:
    """Each distinct request once (a warm-up): anything but 200 stops the benchmark."""
    seen = set()
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for request in requests:
            key = (request.label, tuple(request.headers.items()))
            if key in seen:
                continue
            seen.add(key)
            response = client.get(request.path, params=request.params, headers=request.headers)
            if response.status_code != 200:
                raise SystemExit(f"{server.mode} {request.label}: {response.status_code} {response.text}")


def create_simulations(server: Server, finance: dict[str, str], months: tuple[date, ...]) -> None:
    with httpx.Client(base_url=server.url, timeout=120, headers=finance) as client:
        for simulation in simulations(simulation_scopes(server.database_url), months):
            created = client.post("/api/v1/pricing-views/simulations", json=simulation)
            if created.status_code != 201:
                raise SystemExit(f"creating the simulation: {created.text}")


def load(args: argparse.Namespace, url: str, months: tuple[date, ...], files: list[Path]) -> None:
    with ExitStack() as stack:
        fake = stack.enter_context(serve_fake_backstage())
        backstage = BackstageAuth(base_url=fake.url)
        roles: dict[Role, list[str]] = {"finance": [FINANCE]}
        apis = {
            "backstage": ApiConfig(
                auth=AuthConfig(mode="backstage", backstage=backstage, roles=roles),
                answer_cache_megabytes=args.answer_cache_megabytes,
            ),
            "none": ApiConfig(
                auth=AuthConfig(mode="none"), answer_cache_megabytes=args.answer_cache_megabytes
            ),
        }
        servers = {mode: stack.enter_context(serve(mode, url, apis[mode], args.workers)) for mode in MODES}
        people = users(fake, args.viewers, args.finance, teams=50)
        create_simulations(servers["backstage"], people[-1], months)
        scopes = simulation_scopes(url)
        first, last = months[0], months[-1]
        dashboard = [Request(c.label, c.path, c.params) for c in cases(scopes, first, last) if c.dashboard]
        with httpx.Client(base_url=servers["none"].url) as client:
            totals = {"view": "actual", "group_by": "currency"}
            by_currency = client.get("/api/v1/costs", params=totals).json()
        # the overview shows first the currency with the largest total (lib/shape.ts currenciesOf)
        currency = max(by_currency["rows"], key=lambda row: Decimal(row["cost"]))["currency"]
        requests = mix(dashboard + overview(first, last, currency), people)
        for server in servers.values():
            check(server, requests)
        say(f"\n{len(dashboard)} dashboard + 4 overview requests, as {args.viewers} viewers and "
            f"{args.finance} finance users ({len(requests)} in the rotation); {args.workers} uvicorn "
            f"workers per server; at most {args.seconds:.0f} s and {args.max_requests:,} requests "
            "a level")  # fmt: skip
        # the same servers as finance users only: verifying tokens without scoping any cost
        finance_only = mix(dashboard + overview(first, last, currency), people[args.viewers :])
        runs = [
            ("backstage", servers["backstage"], requests),
            (FINANCE_ONLY, servers["backstage"], finance_only),
            ("none", servers["none"], requests),
        ]
        levels = [
            measure_level(Level(label, concurrency), server, rotation, args)
            for concurrency in args.concurrency
            for label, server, rotation in runs
        ]
        report_load(levels)
        one_at_a_time(servers, dashboard + overview(first, last, currency), people, args.alone_requests)
        say("\nCSV export of the largest grouping (month x application x product, the year, actual):")
        export_memory(servers["none"], {"view": "actual", "group_by": "month,application,product",
                                        "from": format_month(first), "to": format_month(last)})  # fmt: skip
        client = stack.enter_context(httpx.Client(base_url=servers["none"].url, timeout=120))

        def api_get(question: Question) -> tuple[list[dict[str, Any]], float]:
            started = time.perf_counter()
            response = client.get(question.path, params=question.params)
            seconds = time.perf_counter() - started
            response.raise_for_status()
            return response.json()["rows"], seconds

        peer = questions(first, last, scopes.application)
        report_peer(compare_with_api(files, peer, api_get, args.peer_requests))


def report_load(levels: list[Level]) -> None:
    say("\n| auth | concurrency | requests | rps | p50 | p95 | p99 | errors | cores: workers, PostgreSQL, "
        "client |\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for level in levels:
        errors = ", ".join(f"{count} x {kind}" for kind, count in level.errors.items()) or "0"
        cores = (level.server_cpu, level.database_cpu, level.client_cpu)
        say(f"| {level.mode} | {level.concurrency} | {len(level.latencies):,} | {level.rps:.1f} | "
            f"{level.percentile(0.5):.1f} ms | {level.percentile(0.95):.1f} ms | "
            f"{level.percentile(0.99):.1f} ms | {errors} | "
            f"{', '.join(f'{used / level.seconds:.2f}' for used in cores)} |")  # fmt: skip
    say("")
    for concurrency in sorted({level.concurrency for level in levels}):
        at = {level.mode: level for level in levels if level.concurrency == concurrency}
        for mode in ("backstage", FINANCE_ONLY):
            ratio = at[mode].rps / at["none"].rps if at["none"].rps else 0.0
            verdict = "met" if ratio >= AUTH_TARGET else "NOT met"
            say(f"auth overhead at c{concurrency}: {mode} / none throughput = {ratio:.3f} "
                f"(target >= {AUTH_TARGET:.2f}: {verdict})")  # fmt: skip


def report_peer(timings: list[PeerTiming]) -> None:
    say("\nThe same questions, the API over HTTP (auth none, one at a time) against DuckDB over "
        "the raw Parquet (medians)\n")  # fmt: skip
    say("| question | rows | API | DuckDB | DuckDB / API | answers | totals |\n|---|---|---|---|---|---|---|")
    for t in timings:
        say(f"| {t.question.label} | {t.rows:,} | {t.api_ms:.1f} ms | {t.duckdb_ms:.1f} ms | "
            f"{t.duckdb_ms / t.api_ms:.1f}x | {'equal' if t.agrees else 'DIFFER'} | "
            f"{'equal' if t.totals_agree else 'DIFFER'} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mart_arguments(parser)
    parser.add_argument("--seconds", type=float, default=30.0, help="per (auth mode, concurrency)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per (auth mode, concurrency)")
    parser.add_argument(
        "--concurrency", type=lambda text: [int(c) for c in text.split(",")], default=[16, 64]
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per server (2 cores)")
    parser.add_argument("--viewers", type=int, default=8)
    parser.add_argument("--finance", type=int, default=2)
    parser.add_argument(
        "--answer-cache-megabytes",
        type=int,
        default=ApiConfig().answer_cache_megabytes,
        help="api.answer_cache_megabytes of both servers; 0 measures every answer read from the mart",
    )
    parser.add_argument("--alone-requests", type=int, default=5, help="timed requests per shape, alone")
    parser.add_argument("--peer-requests", type=int, default=5, help="timed answers per DuckDB question")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

    with bench_mart(args, "http-home") as (url, months, files):
        load(args, url, months, files)


if __name__ == "__main__":
    main()
