"""`finops demo` serves the Dagster UI and the API, and Ctrl-C stops everything within 10 s."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.demo_process import start_small_demo


def test_ctrl_c_stops_the_api_and_every_dagster_process(mart_url: str, tmp_path: Path) -> None:
    demo, api_port, dagster_port = start_small_demo(mart_url, tmp_path)
    try:
        demo.wait_for("ready; Ctrl-C stops everything", timeout=240)
        with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/api/v1/pricing-views") as answer:
            views = [row["code"] for row in json.load(answer)["rows"]]
        assert views == ["actual", "actual-rate", "budget", "forecast", "sim-compute-plus-10"]
        with urllib.request.urlopen(f"http://127.0.0.1:{dagster_port}/server_info") as answer:
            assert "dagster_webserver_version" in json.load(answer)
        elapsed = demo.interrupt_and_check([api_port, dagster_port])
    finally:
        demo.kill_everything()
    assert elapsed < 10
    assert demo.process.returncode == 0
    assert demo.log.read_text().splitlines()[-1].startswith("stopped")
