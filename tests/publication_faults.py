"""kill -9 at a step boundary of a real `finops materialize`, then every cost grouping read
through the real API: the harness of tests/test_atomic_publish.py and benchmarks/reliability.py.

A month's run is five steps (finops_assets/faults.py names them); the process kills itself
right after the one named, and what readers see is then read through the app, as a dashboard
would: every grouping of the same months must add up to the same total per month, currency and
pricing view, or the month must be reported stale by every answer that includes it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_assets.faults import KILL_AFTER
from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_core.api_config import ApiConfig, AuthConfig
from finops_core.config import load_config
from tests.test_month_loads import line, write_csv

SOURCE = "cloud"
JANUARY, FEBRUARY = date(2025, 1, 1), date(2025, 2, 1)
KILL_POINTS = (
    f"{SOURCE}/billing_lines",
    f"{SOURCE}/consumption",
    "mart/allocation",
    "mart/valuation",
    "mart/cost_views",
)
"""Every step boundary of a month's run, in run order."""
GROUPINGS = (
    "month",
    "month,product",
    "month,application",
    "month,owner",
    "month,family,owner",
    "month,source,domain,family",
)
"""Between them they read every read model (the API picks the smallest holding the keys)."""
# Two deliveries of February: what was loaded, then what a re-delivery brings instead.
DELIVERIES: Mapping[str, list[dict[str, str]]] = {
    "first": [line(FEBRUARY, "1.10"), line(FEBRUARY, "1.05", app="search"), line(FEBRUARY, "0.01", "1")],
    "second": [
        line(FEBRUARY, "20.00"),
        line(FEBRUARY, "7.50", app="search", ServiceName="Amazon Simple Storage Service"),
        line(FEBRUARY, "3.25", app="billing"),
        line(FEBRUARY, "2.00", app="billing", BillingCurrency="USD"),
    ],
}
EXPECTED: Mapping[str, dict[tuple[str, str], Decimal]] = {
    "first": {("2025-02", "EUR"): Decimal("2.16")},  # 1.10 + 1.05 + 0.01
    "second": {("2025-02", "EUR"): Decimal("30.75"), ("2025-02", "USD"): Decimal("2.00")},  # 20 + 7.5 + 3.25
}
JANUARY_TOTAL = {("2025-01", "EUR"): Decimal("3.00")}  # 2.00 + 1.00
OPEN_API = ApiConfig(auth=AuthConfig(mode="none"))

Totals = dict[tuple[str, str], Decimal]
"""(month, currency) -> cost."""


def write_month(bills: Path, month: date, rows: list[dict[str, str]]) -> None:
    write_csv(bills / f"bill_{month:%Y-%m}.csv", rows)


def write_bills(bills: Path, delivery: str) -> None:
    """January, and February as the delivery has it."""
    write_month(bills, JANUARY, [line(JANUARY, "2.00"), line(JANUARY, "1.00", app="search")])
    write_month(bills, FEBRUARY, DELIVERIES[delivery])


def config_file(home: Path) -> Path:
    """The platform configuration of a harness in home: one FOCUS source on home/bills."""
    config = home / "finops.yaml"
    if not config.exists():
        config.write_text(
            "start_month: '2025-01'\nsources:\n"
            f"  - {{name: {SOURCE}, kind: focus, path: '{home / 'bills'}', application_tag: application}}\n"
        )
    return config


def materialize(home: Path, mart_url: str, month: date) -> None:
    """The month run whole, in this process (as `finops materialize` runs it, with its landing
    in $FINOPS_HOME/landing)."""
    mart = MartResource(database_url=mart_url, landing_dir=str(home / "landing"))
    config = load_config(config_file(home))
    # the deliveries replace each other on purpose (14x the total, a currency gone), which
    # validation would hold (that is tests/test_deliveries_held.py's): these runs accept them
    assert materialize_month(config, month, mart, accept_held=True).success


def finops_materialize(
    home: Path, mart_url: str, month: date, kill_after: str | None = None
) -> subprocess.Popen[bytes]:
    """`finops materialize --month` started in a process of its own, which kills itself after
    the step kill_after when given."""
    env = os.environ | {
        "FINOPS_CONFIG": str(config_file(home)),
        "FINOPS_HOME": str(home),
        "FINOPS_DATABASE_URL": mart_url,
    }
    env.pop(KILL_AFTER, None)
    if kill_after is not None:
        env[KILL_AFTER] = kill_after
    month_arg = f"{month:%Y-%m}"
    command = [sys.executable, "-m", "finops_cli.main", "materialize", "--month", month_arg, "--accept-held"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def materialize_killed(home: Path, mart_url: str, month: date, kill_after: str) -> int:
    """The exit code of a run killed after the step kill_after (-9 when it was)."""
    return finops_materialize(home, mart_url, month, kill_after).wait(timeout=300)


@dataclass(frozen=True)
class ApiState:
    """What the API says, per grouping: the totals of its rows and the months it calls stale."""

    totals: dict[tuple[str, str], Totals]
    """(view, grouping) -> totals."""
    stale: dict[tuple[str, str], set[str]]
    """(view, grouping) -> the answer's stale months."""
    health_stale: dict[str, str]
    """/health: month -> reason."""
    etag: str

    def months(self) -> set[str]:
        return {month for totals in self.totals.values() for month, _ in totals}

    def disagreeing(self) -> set[str]:
        """Months whose total differs between two groupings of one view (per currency)."""
        months = set()
        for view in {view for view, _ in self.totals}:
            answers = [totals for (v, _), totals in self.totals.items() if v == view]
            for month, currency in set().union(*answers):
                if len({answer.get((month, currency)) for answer in answers}) > 1:
                    months.add(month)
        return months

    def marked_everywhere(self) -> set[str]:
        """Months every answer that includes them calls stale, /health too."""
        marked = set(self.health_stale)
        for key, totals in self.totals.items():
            included = {month for month, _ in totals}
            marked -= included - self.stale[key]
        return marked

    def consistent(self) -> bool:
        """Every month either agrees across groupings or is marked stale wherever it appears."""
        return self.disagreeing() <= self.marked_everywhere()

    def view_totals(self, view: str = "actual") -> Totals:
        """The view's totals when its groupings agree."""
        answers = [totals for (v, _), totals in self.totals.items() if v == view]
        assert all(answer == answers[0] for answer in answers), answers
        return answers[0]


async def _read(mart_url: str) -> ApiState:
    async with AsyncTestClient(app=create_app(mart_url, api=OPEN_API)) as client:
        views = [row["code"] for row in (await client.get("/api/v1/pricing-views")).json()["rows"]]
        totals: dict[tuple[str, str], Totals] = {}
        stale: dict[tuple[str, str], set[str]] = {}
        etag = ""
        for view in views:
            for grouping in GROUPINGS:
                response = await client.get("/api/v1/costs", params={"view": view, "group_by": grouping})
                assert response.status_code == 200, response.text
                body = response.json()
                assert "next" not in body, "one page holds the test's rows"
                sums: Totals = {}
                for row in body["rows"]:
                    key = (row["month"], row["currency"])
                    sums[key] = sums.get(key, Decimal(0)) + Decimal(row["cost"])
                totals[view, grouping] = sums
                stale[view, grouping] = {entry["month"] for entry in body.get("stale_months", [])}
                etag = etag or response.headers["etag"]
        health = (await client.get("/api/v1/health")).json()
    return ApiState(totals, stale, {m["month"]: m["reason"] for m in health["stale_months"]}, etag)


def read_api(mart_url: str) -> ApiState:
    return asyncio.run(_read(mart_url))
