"""`finops materialize --parallel`: a worker process killed (the out-of-memory killer's SIGKILL)
fails its months in one line each, not with the process pool's traceback, and a second run
mends them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from finops_assets.faults import KILL_AFTER
from finops_cli.main import main
from tests.test_archive import _answers, platform  # noqa: F401  (a fixture)


def test_a_killed_worker_fails_its_months_in_one_line_each(
    mart_url: str,
    platform: dict[str, Path],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    answers = _answers(mart_url)
    command = [sys.executable, "-m", "finops_cli.main", "materialize", "--from", "2025-01", "--to", "2025-03"]
    env = os.environ | {KILL_AFTER: "cloud/consumption"}  # every run dies after its consumption
    done = subprocess.run([*command, "--parallel", "2"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    for month in ("2025-01", "2025-02", "2025-03"):
        assert f"{month}: FAILED: a worker process died before the month ended" in done.stderr
    assert "Traceback" not in done.stderr and "BrokenProcessPool" not in done.stderr

    assert main(["materialize", "--from", "2025-01", "--to", "2025-03", "--parallel", "2"]) == 0
    assert _answers(mart_url)[:3] == answers[:3]  # the same totals; the load audit has more loads
