"""The What-if preview, as the plugin asked for it before and as it asks now, on the mart of
benchmarks/api_costs.py (the same FOCUS files, catalog and budget).

- before: every page of GET /costs under the base view grouped by
  month, domain, family, product and application (what the browser needed to apply the
  adjustments itself), the bytes it received, then summed per family in Python;
- now: POST /costs/preview with the adjustments, grouped by family: one row per family.

Both over the real app in process (no network); the two answers must agree to the last decimal
on the families' base costs. Prints rows and bytes received, p50/p95 of each.

    python -m benchmarks.whatif_preview --months 3 --rows 300000 --requests 10
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from litestar.testing import AsyncTestClient

from benchmarks.api_costs import simulation_scopes, simulations
from benchmarks.api_mart import bench_mart, mart_arguments
from benchmarks.ingest import say
from finops_api.app import create_app
from finops_core.api_config import ApiConfig, AuthConfig
from finops_core.months import format_month

# what the plugin's preview read before it asked the API to apply the adjustments
ROW_KEYS = "month,domain,family,product,application"


async def browser_rows(client: AsyncTestClient, year: dict[str, str]) -> tuple[dict[str, Decimal], int, int]:  # type: ignore[type-arg]
    """Every page of the base view's rows, as the plugin's client read them: base cost per
    (family, currency), rows and bytes received."""
    base: dict[str, Decimal] = defaultdict(Decimal)
    rows = received = 0
    next_page: str | None = "/api/v1/costs"
    params: dict[str, str] | None = {"view": "actual", "group_by": ROW_KEYS, **year}
    while next_page:
        response = await client.get(next_page, params=params)
        received += len(response.content)
        body = response.json()
        for row in body["rows"]:
            if row["cost"] is not None:
                base[f"{row['family']}|{row['currency']}"] += Decimal(row["cost"])
        rows += len(body["rows"])
        next_page, params = body.get("next"), None
    return dict(base), rows, received


async def server_preview(
    client: AsyncTestClient,  # type: ignore[type-arg]
    adjustments: list[Any],
    year: dict[str, str],
) -> tuple[dict[str, Decimal], int, int]:
    body = {"base_view": "actual", "adjustments": adjustments, "group_by": ["family"], **year}
    response = await client.post("/api/v1/costs/preview", json=body)
    if response.status_code != 200:
        raise SystemExit(f"preview: {response.status_code} {response.text}")
    rows = response.json()["rows"]
    base = {f"{r['family']}|{r['currency']}": Decimal(r["against_cost"]) for r in rows if r["against_cost"]}
    return base, len(rows), len(response.content)


async def timed(
    label: str, call: Callable[[], Awaitable[tuple[dict[str, Decimal], int, int]]], requests: int
) -> dict[str, Decimal]:
    answer, rows, received = await call()  # warm-up, and the answer to check
    seconds = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else seconds[0]
    say(f"| {label} | {rows:,} | {received / 1e6:.2f} MB | {statistics.median(seconds) * 1000:.0f} ms | "
        f"{p95 * 1000:.0f} ms |")  # fmt: skip
    return answer


async def measure(url: str, months: tuple[date, ...], requests: int) -> None:
    scopes = simulation_scopes(url)
    [mixed] = [s for s in simulations(scopes, months) if s["code"] == "sim-mixed"]
    adjustments: list[Any] = list(mixed["adjustments"])  # type: ignore[call-overload]
    year = {"from": format_month(months[0]), "to": format_month(months[-1])}
    say(f"\nadjustments: {mixed['name']} ({len(adjustments)}), {year['from']}..{year['to']}\n")
    say("| the preview | rows received | bytes received | p50 | p95 |\n|---|---|---|---|---|")
    async with AsyncTestClient(app=create_app(url, api=ApiConfig(auth=AuthConfig(mode="none")))) as client:
        before = await timed(
            f"before: GET /costs by {ROW_KEYS}, every page", lambda: browser_rows(client, year), requests
        )
        now = await timed(
            "now: POST /costs/preview by family", lambda: server_preview(client, adjustments, year), requests
        )
    if before != now:
        raise SystemExit(f"the two previews disagree on the base costs: {before} against {now}")
    say(f"\nthe base cost of every family ({len(now)}) is the same in both, to the last decimal")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mart_arguments(parser)
    parser.add_argument("--requests", type=int, default=10, help="timed requests per case")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with bench_mart(args, "api-home") as (url, months, _):
        asyncio.run(measure(url, months, args.requests))


if __name__ == "__main__":
    main()
