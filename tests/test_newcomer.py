"""A newcomer's first contact: a fresh clone, the README's bring-up command on the embedded
default with free ports, the API and the Dagster UI answering with the demo's own figures, and
Ctrl-C leaving nothing behind. Slow (it builds the clone's virtual environment): about 3 min."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from finops_assets.demo.generator.month import generate_month
from finops_assets.demo.generator.spec import DemoSpec
from finops_core.embedded import embedded_server
from tests.demo_process import DemoProcess, free_port

REPO = Path(__file__).resolve().parents[1]
MONTHS, ROWS = 2, 1000
PARTITIONS = """{ assetNodes { assetKey { path } isPartitioned
                 partitionStats { numMaterialized numPartitions numFailed } } }"""


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def _graphql(url: str, query: str) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)["data"]


def test_fresh_clone_make_demo_serves_the_demo_and_stops_clean(tmp_path: Path) -> None:
    # a folder of its own, not under pytest's base folder: another pytest run may prune that,
    # and the embedded server's system user must reach the clone's PostgreSQL binaries
    with tempfile.TemporaryDirectory(prefix="finops-newcomer-") as folder:
        _newcomer(Path(folder) / "clone", tmp_path)


def _newcomer(clone: Path, tmp_path: Path) -> None:
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    api_port, dagster_port, plugin_port, proxy_port = free_port(), free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINOPS_", "DAGSTER_", "VIRTUAL_ENV"))}
    demo = DemoProcess.start(
        ["make", "demo", f"API_PORT={api_port}", f"DAGSTER_PORT={dagster_port}", f"PLUGIN_PORT={plugin_port}",
         f"PLUGIN_PROXY_PORT={proxy_port}", f"MONTHS={MONTHS}", f"ROWS={ROWS}"],
        clone, env, tmp_path / "demo.log",
    )  # fmt: skip
    try:
        demo.wait_for("ready; Ctrl-C stops everything", timeout=900)
        assert "embedded PostgreSQL in " in demo.log.read_text()  # the embedded default, not a server of ours

        # the API's total for a month is the demo generator's own, per currency, to the last digit
        answer = _get(
            f"http://127.0.0.1:{api_port}/api/v1/costs?group_by=month&source=cloud&from=2025-02&to=2025-02"
        )
        served = {row["currency"]: Decimal(row["cost"]) for row in answer["rows"]}
        frame = generate_month(DemoSpec(months=(date(2025, 2, 1),), rows_per_month=ROWS), date(2025, 2, 1))
        expected = dict(frame.group_by("BillingCurrency").agg(pl.col("EffectiveCost").sum()).iter_rows())
        assert served == expected

        # the Dagster UI shows every partition of every partitioned asset materialized
        nodes = _graphql(f"http://127.0.0.1:{dagster_port}/graphql", PARTITIONS)["assetNodes"]
        stats = {"/".join(n["assetKey"]["path"]): n["partitionStats"] for n in nodes if n["isPartitioned"]}
        assert len(stats) == 11  # 4 sources x 2 steps, allocation, valuation, cost views
        assert all(
            s == {"numMaterialized": MONTHS, "numPartitions": MONTHS, "numFailed": 0} for s in stats.values()
        ), stats

        # the plugin's dev app is served, and its proxy reaches the API as Backstage's would
        # (a browser's Accept header: the dev server answers a page route with the app's HTML)
        request = urllib.request.Request(
            f"http://127.0.0.1:{plugin_port}/finops", headers={"Accept": "text/html"}
        )
        with urllib.request.urlopen(request, timeout=60) as page:
            assert page.status == 200
            assert '<div id="root">' in page.read().decode()
        through = _get(f"http://127.0.0.1:{proxy_port}/api/proxy/finops/api/v1/pricing-views")
        assert [row["code"] for row in through["rows"]][-1] == "sim-compute-plus-10"

        elapsed = demo.interrupt_and_check([api_port, dagster_port, plugin_port, proxy_port])
    finally:
        demo.kill_everything()
    assert elapsed < 10
    assert embedded_server(clone / ".finops" / "pgdata") is None  # the demo's own server stopped too
