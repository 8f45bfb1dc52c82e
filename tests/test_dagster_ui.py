"""The Dagster UI `finops demo` serves, seen by a headless Chromium: the asset graph shows the
assets and their checks (no first-visit modal over them), and SIGTERM stops it all in 10 s."""

from __future__ import annotations

import re
import shutil
import signal
import struct
import subprocess
from pathlib import Path

import pytest

from tests.demo_process import start_small_demo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WINDOW = (1600, 1000)


def chromium(url: str, *output: str) -> str:
    """Chromium headless on `url` once the page settled (virtual time: no fixed sleep)."""
    assert CHROMIUM is not None
    answer = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=15000", *output, url],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return answer.stdout


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_the_asset_graph_shows_in_a_headless_browser_and_sigterm_stops_the_demo(
    mart_url: str, tmp_path: Path
) -> None:
    demo, api_port, dagster_port = start_small_demo(mart_url, tmp_path)
    try:
        demo.wait_for("ready; Ctrl-C stops everything", timeout=240)
        graph = f"http://127.0.0.1:{dagster_port}/locations/finops/asset-groups/mart"
        text = visible_text(chromium(graph, "--dump-dom"))
        # the three mart assets with their checks' results, the month materialized, no modal
        assert re.search(
            r"allocation Latest event .*? Asset checks 1 / 1 Passed Partitions 100% filled", text
        ), text[:2000]
        assert re.search(r"valuation Latest event .*? Asset checks 2 / 2 Passed", text), text[:2000]
        assert "cost_views Latest event" in text
        assert "community" not in text.lower()
        shot = tmp_path / "asset-graph.png"
        chromium(graph, f"--screenshot={shot}")
        png = shot.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == WINDOW
        assert len(png) > 50_000  # a blank page of this size is a few kilobytes

        elapsed = demo.interrupt_and_check([api_port, dagster_port], signal.SIGTERM)
    finally:
        demo.kill_everything()
    assert elapsed < 10
    assert demo.log.read_text().splitlines()[-1].startswith("stopped")
