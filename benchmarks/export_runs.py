"""What telling an export's runs apart costs on top of listing a source folder: a synced bucket
of many periods, each holding many runs of a few files, listed as the new-delivery sensor and
`billing_lines` list it (`source_files`), with and without the runs told apart, min of rounds.

    python -m benchmarks.export_runs                         # 36 periods x 30 runs x 5 files
    python -m benchmarks.export_runs --periods 12 --runs 10

Three layouts: Azure (each run folder with its manifest.json: submittedTime and blobs), AWS
(the period's report manifest naming the current assembly and its reportKeys), and runs with no
manifest (the newest files win). Prints milliseconds per listing and the files kept, and what
`billing_lines` spends on its three views of the folder (the files left out, the runs superseded,
the files read): each listing the folder anew, and within one listing (sources/listing.py).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from finops_assets.sources.files import left_out_files, source_files, superseded_runs
from finops_assets.sources.listing import one_listing

LAYOUTS = ("azure", "aws", "none")


def write_bucket(root: Path, layout: str, periods: int, runs: int, files: int) -> None:
    for p in range(periods):
        year, month = 2023 + p // 12, p % 12 + 1
        period = root / f"{year}{month:02d}01-{year}{month:02d}28"
        for r in range(runs):
            run = period / str(uuid.UUID(int=p * 1000 + r + 1))
            run.mkdir(parents=True)
            for f in range(files):
                part = run / f"part_0_{f:04d}.csv"
                part.write_text("x\n")
                os.utime(part, (1_700_000_000 + r, 1_700_000_000 + r))
            if layout == "azure":
                manifest = {
                    "runInfo": {"submittedTime": f"{year}-{month:02d}-28T00:{r % 60:02d}:{r // 60:02d}Z"},
                    "blobs": [{"blobName": f"exports/{run.name}/part_0_{f:04d}.csv"} for f in range(files)],
                }
                (run / "manifest.json").write_text(json.dumps(manifest))
        if layout == "aws":
            current = str(uuid.UUID(int=p * 1000 + runs))
            keys = [f"cur/report/{period.name}/{current}/part_0_{f:04d}.csv" for f in range(files)]
            (period / "report-Manifest.json").write_text(
                json.dumps({"assemblyId": current, "reportKeys": keys})
            )


def best_ms(call: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--periods", type=int, default=36)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    total = args.periods * args.runs * args.files
    shape = f"{args.periods} periods x {args.runs} runs x {args.files} files"
    print(f"{shape} = {total:,} files, min of {args.rounds}")
    for layout in LAYOUTS:
        with tempfile.TemporaryDirectory() as folder:
            write_bucket(Path(folder), layout, args.periods, args.runs, args.files)
            print(f"{layout:>5}: {measured(Path(folder), args.rounds)}")


def measured(root: Path, rounds: int) -> str:
    every = best_ms(lambda: source_files(root, export_runs=False), rounds)
    latest = best_ms(lambda: source_files(root), rounds)
    told = best_ms(lambda: superseded_runs(root), rounds)
    kept = len(source_files(root))

    def three_views() -> None:
        left_out_files(root)
        superseded_runs(root)
        source_files(root)

    def in_one_listing() -> None:
        with one_listing():
            three_views()

    apart = best_ms(three_views, rounds)
    once = best_ms(in_one_listing, rounds)
    return (
        f"every file listed {every:.0f} ms; the latest runs' files {latest:.0f} ms "
        f"(+{latest - every:.0f} ms, {kept:,} files kept); what was left out {told:.0f} ms; "
        f"billing_lines' three views {apart:.0f} ms, in one listing {once:.0f} ms"
    )


if __name__ == "__main__":
    main()
