"""Issue 14, item 1: a month is landed a batch at a time, so the landing's peak memory follows
the batch size, not the month's lines (benchmarks/ingest_memory.py measures 1M to 10M lines;
this guards the mechanism in CI, where a month held whole once crept back unseen).

Each landing runs in a process of its own (tests/month_peak.py) on a generated FOCUS Parquet
month (the demo generator: 2,000 applications, 500 products). The month held whole is the
control: it shows that the measure sees what holding the month costs on this machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.demo.generator.writer import write_dataset
from finops_assets.sources.batches import BATCH_ROWS_SETTING
from tests.demo_process import REPO

BATCH = 20_000
SMALL, LARGE = 50_000, 400_000
HELD_WHOLE_ABOVE_MIB = 100
"""The least a month of LARGE lines held whole must add to the peak for the test to tell
(measured: 230-240 MiB more than SMALL lines; in batches: 49-57 MiB more)."""


def landing_peak(folder: Path, landing: Path, batch: int) -> dict[str, int]:
    (month,) = demo_months(1)
    env = os.environ | {BATCH_ROWS_SETTING: str(batch)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.month_peak", str(folder), str(landing), month.isoformat()],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    figures: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folders = {}
    for rows in (SMALL, LARGE):
        folder = tmp_path_factory.mktemp(f"focus-{rows}")
        spec = DemoSpec(months=demo_months(1), rows_per_month=rows, applications=2_000, products=500)
        write_dataset(spec, folder)
        folders[rows] = folder
    return folders


def test_the_landing_peak_follows_the_batch_not_the_month(months: dict[int, Path], tmp_path: Path) -> None:
    small = landing_peak(months[SMALL], tmp_path / "small", BATCH)
    large = landing_peak(months[LARGE], tmp_path / "large", BATCH)
    whole = landing_peak(months[LARGE], tmp_path / "whole", LARGE)
    assert (small["rows"], large["rows"], whole["rows"]) == (SMALL, LARGE, LARGE)
    held_whole = whole["peak_mib"] - small["peak_mib"]
    assert held_whole > HELD_WHOLE_ABOVE_MIB, f"the control did not tell: {small}, {whole}"
    # 8x the lines in batches: less than half of what holding them whole adds
    assert large["peak_mib"] - small["peak_mib"] < held_whole / 2, f"{small}, {large}, {whole}"
