"""Runs landing the same month at once swap their folders in one after the other: every swap
succeeds and the month is always one run's whole folder (finops_assets/landing.py, publish)."""

from __future__ import annotations

import multiprocessing
from datetime import date
from pathlib import Path

from finops_assets.landing import LandingSlice, publish, staging_folder

MONTH = date(2025, 2, 1)
WRITERS, ROUNDS = 6, 40


def _land_again_and_again(root: Path, writer: int) -> None:
    slice_ = LandingSlice(root, "cloud", MONTH)
    for round_ in range(ROUNDS):
        staging = staging_folder(slice_)
        for name in ("lines.parquet", "facts.parquet", "manifest.json"):
            (staging / name).write_text(f"{writer}:{round_}")
        publish(slice_, staging)


def test_concurrent_publishes_of_one_month_all_succeed_and_leave_one_whole_folder(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_land_again_and_again, args=(tmp_path, w)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)

    assert [process.exitcode for process in writers] == [0] * WRITERS
    month = tmp_path / "cloud" / "2025-02"
    contents = {path.name: path.read_text() for path in month.iterdir()}
    assert sorted(contents) == ["facts.parquet", "lines.parquet", "manifest.json"]
    assert len(set(contents.values())) == 1  # one writer's folder, whole
    assert contents["manifest.json"].endswith(f":{ROUNDS - 1}")  # a last round won
    assert [p.name for p in (tmp_path / "cloud").iterdir()] == ["2025-02"]  # no staging, no old folder
