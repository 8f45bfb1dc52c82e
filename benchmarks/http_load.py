"""HTTP load benchmark: the real server process (uvicorn workers) under dashboard load.

Builds the API benchmark's mart (benchmarks/api_costs.py: the ingest benchmark's FOCUS files
through the real asset graph, a catalog of 50 teams, a budget rate card, three simulations),
then serves it from `uvicorn --workers N` on 127.0.0.1 with `auth.mode: backstage` against a
local fake Backstage (JWKS and userinfo, as tests/api/fake_backstage.py serves them): every
request carries the ES256 user token of a viewer or a finance user. With --before, the same
mart is served at the same time by another checkout (e.g. main's), and each level runs on both
in turn, so that the machine's drift hits both alike. wrk (benchmarks/http_wrk.py) sends two
workloads at each concurrency: the cheapest read (costs by month) and a rotation of 7 dashboard
shapes whose lists ask for the 20 rows a dashboard shows, each as every user. Prints rps,
p50/p95/p99, errors and the cores the workers, PostgreSQL and wrk used, each figure against
issue 14's target at concurrency 16; then the dashboard questions answered by DuckDB over the
raw Parquet files and over a narrow table of them (benchmarks/duckdb_peer.py, `pip install -e
'.[bench]'`) against the API over HTTP, side by side.

    python -m benchmarks.http_load --before /tmp/main   # 12 months x 1,000,000 rows, 30 s a level
    python -m benchmarks.http_load --months 2 --rows 50000 --seconds 5

The database server is FINOPS_BENCH_DATABASE_URL, else FINOPS_TEST_DATABASE_URL, else the
embedded one; the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api_costs import Scopes, cases, simulation_scopes, simulations
from benchmarks.api_mart import bench_mart, mart_arguments
from benchmarks.duckdb_peer import PeerTiming, Question, compare_with_api, questions
from benchmarks.http_server import Server, database_cpu, serve
from benchmarks.http_wrk import Sent, WrkResult, run_wrk
from benchmarks.ingest import REPO, say
from finops_core.api_config import ApiConfig, AuthConfig, BackstageAuth, Role
from finops_core.months import format_month
from tests.api.fake_backstage import FakeBackstage, serve_fake_backstage

FINANCE = "group:default/finance"
CHEAPEST = "cheapest read (costs by month)"
ROTATION = "rotation (7 shapes)"
TARGET_CONCURRENCY = 16
TARGETS: dict[str, tuple[float, float]] = {CHEAPEST: (10.0, 1500.0), ROTATION: (25.0, 0.0)}
"""Issue 14 at concurrency 16: workload -> (p95 at most, ms; rps at least)."""
ROTATION_CASES = (
    "costs, mixed sim, by month x family",
    "compare, actual vs budget, by month x family",
    "compare, actual vs previous quarter, by family",
)
"""The API benchmark's requests (benchmarks/api_costs.py) in the rotation, after the overview's."""


@dataclass(frozen=True)
class Request:
    label: str
    path: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Level:
    code: str
    """before (--before's checkout) or after (this one)."""
    workload: str
    concurrency: int
    rate: float | None = None
    """Requests a second wrk is paced to offer; None: as many as the server answers."""
    result: WrkResult | None = None
    server_cpu: float = 0.0
    """CPU seconds of the server's workers."""
    database_cpu: float = 0.0
    """CPU seconds of the PostgreSQL backends (of both servers: the idle one's use none)."""

    def cores(self) -> tuple[float, float, float]:
        """Cores the workers, PostgreSQL and wrk used over the level."""
        if self.result is None:
            return (0.0, 0.0, 0.0)
        used = (self.server_cpu, self.database_cpu, self.result.cpu_seconds)
        return tuple(seconds / self.result.seconds for seconds in used)  # type: ignore[return-value]


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


def mix(shapes: list[Request], people: list[dict[str, str]]) -> list[Sent]:
    """Every request as every user, in a fixed shuffled order."""
    sent = [Sent(r.path, r.params, person) for r in shapes for person in people]
    random.Random(10).shuffle(sent)
    return sent


def check(server: Server, rotation: list[Sent]) -> None:
    """Each request of the rotation once (a warm-up): anything but 200 stops the benchmark."""
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for sent in rotation:
            response = client.get(sent.path, params=dict(sent.params), headers=dict(sent.headers))
            if response.status_code != 200:
                raise SystemExit(f"{server.mode} {sent.target()}: {response.status_code} {response.text}")


def measure_level(level: Level, server: Server, rotation: list[Sent], seconds: float) -> Level:
    server_cpu, backends = server.cpu_seconds(), database_cpu(server.database_url)
    level.result = run_wrk(server.url, rotation, level.concurrency, seconds, level.rate)
    level.server_cpu = server.cpu_seconds() - server_cpu
    level.database_cpu = sum(
        used - backends.get(pid, 0.0) for pid, used in database_cpu(server.database_url).items()
    )
    say(f"  {level.code} {level.workload} c{level.concurrency}: {level.result.rps:.1f} rps, "
        f"p95 {level.result.p95_ms:.1f} ms, errors {sum(level.result.errors.values())}")  # fmt: skip
    return level


def create_simulations(server: Server, finance: dict[str, str], months: tuple[date, ...]) -> None:
    with httpx.Client(base_url=server.url, timeout=120, headers=finance) as client:
        for simulation in simulations(simulation_scopes(server.database_url), months):
            created = client.post("/api/v1/pricing-views/simulations", json=simulation)
            if created.status_code != 201:
                raise SystemExit(f"creating the simulation: {created.text}")


def main_currency(server: Server, finance: dict[str, str]) -> str:
    """The currency with the largest total: the one the overview shows first (lib/shape.ts)."""
    with httpx.Client(base_url=server.url, headers=finance) as client:
        totals = client.get("/api/v1/costs", params={"view": "actual", "group_by": "currency"}).json()
    return str(max(totals["rows"], key=lambda row: Decimal(row["cost"]))["currency"])


def load(args: argparse.Namespace, url: str, months: tuple[date, ...], files: list[Path]) -> None:
    with ExitStack() as stack:
        fake = stack.enter_context(serve_fake_backstage())
        roles: dict[Role, list[str]] = {"finance": [FINANCE]}
        api = ApiConfig(
            auth=AuthConfig(mode="backstage", backstage=BackstageAuth(base_url=fake.url), roles=roles),
            answer_cache_megabytes=args.answer_cache_megabytes,
        )
        codes = {"after": args.after, **({"before": args.before} if args.before else {})}
        servers = {
            code: stack.enter_context(serve(code, url, api, args.workers, folder))
            for code, folder in codes.items()
        }
        people = users(fake, args.viewers, args.finance, teams=50)
        finance = people[-1]
        create_simulations(servers["after"], finance, months)
        scopes = simulation_scopes(url)
        first, last = months[0], months[-1]
        shapes = dashboard_shapes(scopes, first, last, main_currency(servers["after"], finance))
        workloads = {CHEAPEST: mix(shapes[:1], people), ROTATION: mix(shapes, people)}
        for server in servers.values():
            check(server, workloads[ROTATION])
        say(f"\n{len(shapes)} shapes as {args.viewers} viewers and {args.finance} finance users "
            f"({len(workloads[ROTATION])} requests in the rotation, auth.mode backstage: an ES256 "
            f"token each); {args.workers} uvicorn workers per server; wrk, {args.seconds:.0f} s a "
            "level")  # fmt: skip
        shapes_of = [(concurrency, None) for concurrency in args.concurrency]
        paced = [(TARGET_CONCURRENCY, args.rate)] if args.rate else []
        levels = [
            measure_level(Level(code, workload, concurrency, rate), server, rotation, args.seconds)
            for concurrency, rate in [*shapes_of, *paced]
            for workload, rotation in workloads.items()
            for code, server in servers.items()
        ]
        report_load(levels)
        peer = [
            *questions(first, last, scopes.application),
            top_applications(last, main_currency(servers["after"], finance)),
        ]
        for code, server in servers.items():
            client = stack.enter_context(httpx.Client(base_url=server.url, timeout=120, headers=finance))
            say(f"\nDuckDB against the API ({code}): over HTTP as a finance user, one request at a time")
            report_peer(compare_with_api(files, peer, api_reader(client), args.peer_requests))


def api_reader(client: httpx.Client) -> Callable[[Question], tuple[list[dict[str, Any]], float]]:
    def api_get(question: Question) -> tuple[list[dict[str, Any]], float]:
        started = time.perf_counter()
        response = client.get(question.path, params=question.params)
        seconds = time.perf_counter() - started
        response.raise_for_status()
        return response.json()["rows"], seconds

    return api_get


def report_load(levels: list[Level]) -> None:
    say("\n| workload | concurrency | code | requests | rps | p50 | p95 | p99 | errors | cores: workers, "
        "PostgreSQL, wrk |\n|---|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for level in levels:
        result = level.result
        if result is None:
            continue
        concurrency = f"{level.concurrency}, paced" if level.rate else str(level.concurrency)
        errors = ", ".join(f"{count} x {kind}" for kind, count in result.errors.items()) or "0"
        cores = ", ".join(f"{used:.2f}" for used in level.cores())
        say(f"| {level.workload} | {concurrency} | {level.code} | {result.requests:,} | "
            f"{result.rps:.1f} | {result.p50_ms:.1f} ms | {result.p95_ms:.1f} ms | "
            f"{result.p99_ms:.1f} ms | {errors} | {cores} |")  # fmt: skip
    say("")
    for level in levels:
        result = level.result
        if result is None or level.concurrency != TARGET_CONCURRENCY:
            continue
        p95, rps = TARGETS[level.workload]
        # a paced level answers what wrk offers: it meets the rate when it kept the schedule (to 1%)
        wanted = min(rps, level.rate * 0.99) if level.rate else rps
        met = result.p95_ms <= p95 and result.rps >= wanted and not result.errors
        paced = f", paced to {level.rate:.0f} rps" if level.rate else ""
        verdict = "met" if met else "NOT met"
        say(f"{level.code}, {level.workload} c{level.concurrency}{paced}: p95 {result.p95_ms:.1f} ms "
            f"(target <= {p95:g}), {result.rps:.0f} rps (target >= {rps:g}): {verdict}")  # fmt: skip


def report_peer(timings: list[PeerTiming]) -> None:
    say("| question | rows | API first | API median | DuckDB, Parquet | / API | DuckDB, narrow table | "
        "/ API | answers | totals |\n|---|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for t in timings:
        say(f"| {t.question.label} | {t.rows:,} | {t.api_first_ms:.1f} ms | {t.api_ms:.1f} ms | "
            f"{t.duckdb_ms:.1f} ms | {t.duckdb_ms / t.api_ms:.1f}x | {t.narrow_ms:.1f} ms | "
            f"{t.narrow_ms / t.api_ms:.1f}x | {'equal' if t.agrees else 'DIFFER'} | "
            f"{'equal' if t.totals_agree else 'DIFFER'} |")  # fmt: skip


def dashboard_shapes(scopes: Scopes, first: date, last: date, currency: str) -> list[Request]:
    """The 7 shapes of the rotation, the cheapest read first; lists ask for the 20 rows a
    dashboard shows (sort=cost_desc for a top N)."""
    year = {"from": format_month(first), "to": format_month(last)}
    month = {"from": format_month(last), "to": format_month(last)}
    top = {"sort": "cost_desc", "limit": "20", "currency": currency}
    picked = {case.label: case for case in cases(scopes, first, last)}
    return [
        Request("costs by month", "/api/v1/costs", {"view": "actual", "group_by": "month", **year}),
        Request("by month x domain", "/api/v1/costs", {"view": "actual", "group_by": "month,domain", **year}),
        Request(
            "top 20 applications of a month",
            "/api/v1/costs",
            {"view": "actual", "group_by": "application", **month, **top},
        ),
        Request(
            "movers, 20 rows",
            "/api/v1/costs/compare",
            {
                "view": "actual",
                "against_period": "previous_month",
                "group_by": "application",
                "currency": currency,
                "limit": "20",
                **month,
            },
        ),
        *(Request(label, picked[label].path, picked[label].params) for label in ROTATION_CASES),
    ]


def top_applications(last: date, currency: str) -> Question:
    """The top 20 applications of the last month in the main currency (sort=cost_desc)."""
    month = format_month(last)
    return Question(
        "top 20 applications of the last month",
        "/api/v1/costs",
        {
            "view": "actual",
            "group_by": "application",
            "from": month,
            "to": month,
            "currency": currency,
            "sort": "cost_desc",
            "limit": "20",
        },
        ("application", "currency"),
        "SELECT application, currency, sum(cost) AS cost FROM lines WHERE month = $last AND currency = "
        "$currency GROUP BY ALL ORDER BY cost DESC, application LIMIT 20",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mart_arguments(parser)
    parser.add_argument("--seconds", type=float, default=30.0, help="per (code, workload, concurrency)")
    parser.add_argument(
        "--concurrency", type=lambda text: [int(c) for c in text.split(",")], default=[16, 64]
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=TARGETS[CHEAPEST][1],
        help="a level at c16 paced to about this many requests a second as well (0: none)",
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
    parser.add_argument("--after", type=Path, default=REPO, help="the checkout measured (default: this one)")
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of the code to compare with (e.g. `git archive main`), served beside this one",
    )
    parser.add_argument("--peer-requests", type=int, default=5, help="timed answers per DuckDB question")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

    with bench_mart(args, "http-home") as (url, months, files):
        load(args, url, months, files)


if __name__ == "__main__":
    main()
