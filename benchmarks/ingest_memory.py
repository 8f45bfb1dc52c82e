"""Peak memory and speed of one month's ingest as rows per month grow (issue 14, item 1).

Generates one FOCUS month as Parquet at each size (default 1M, 5M and 10M rows) and one as
CSV (1M), with the ingest benchmark's generator, then runs `finops materialize` for that month
in a process of its own, once per code tree (e.g. a clean checkout of main beside this one, in
the same run), each into a fresh database, and prints per run: the child's peak RSS (its own
VmHWM), wall time, source rows/s and the time of each step.

    python -m benchmarks.ingest_memory --tree before=/tmp/main-tree --tree after=.
    python -m benchmarks.ingest_memory --rows 1000000 --csv-rows 0 --tree after=.

A tree is a checkout of this repository: its `finops_assets` is imported (PYTHONPATH), this
script's interpreter runs it. `--skip before:10000000` leaves out a run (an old tree that would
not fit in memory). The database server is FINOPS_BENCH_DATABASE_URL, else
FINOPS_TEST_DATABASE_URL; the generated files are removed at the end unless --keep-files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and "--child" not in sys.argv:
    sys.path.insert(0, str(REPO))


def child(config_path: Path, url: str, home: Path, month: str, source: str) -> None:
    """One month through the asset graph, as `finops materialize` runs it; prints the steps and
    the checks that failed (the generated months at 5M rows and more fail mapping_coverage, a
    warning: the run is timed all the same)."""
    from finops_assets.materialize import materialize_month
    from finops_assets.resources import MartResource
    from finops_core.config import load_config

    config = load_config(config_path)
    mart = MartResource(database_url=url, landing_dir=str(home / "landing"))
    started = time.perf_counter()
    result = materialize_month(config, date.fromisoformat(f"{month}-01"), mart, [source])
    elapsed = time.perf_counter() - started  # float ok: a timing
    steps = ", ".join(
        f"{event.step_key.split('__')[-1]} {event.step_success_data.duration_ms / 1000:.2f}"
        for event in result.all_events
        if event.event_type_value == "STEP_SUCCESS" and event.step_key
    )
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    # VmHWM is this process's own peak: ru_maxrss keeps the forked parent's across exec
    status = Path("/proc/self/status").read_text()
    peak = next(int(row.split()[1]) * 1024 for row in status.splitlines() if row.startswith("VmHWM:"))
    figures = {"seconds": elapsed, "steps": steps, "failed_checks": failed, "peak_rss": peak}
    print(json.dumps(figures), flush=True)


def run_tree(tree: Path, folder: Path, fmt: str, url: str, work: Path, month: str) -> dict[str, object]:
    """Run the month from `folder` with the code of `tree` in a fresh process: its figures."""
    config_path = work / "finops.yaml"
    config_path.write_text(
        f"sources:\n  - {{name: bench, kind: focus, path: '{folder}', application_tag: application}}\n"
    )
    env = os.environ | {"PYTHONPATH": str(tree), "FINOPS_HOME": str(work / "home")}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(config_path), url,
               str(work / "home"), month, "bench"]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, _ = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started  # float ok: a timing
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        return {"failed": f"exit {process.returncode}: {err.strip().splitlines()[-1:] or ''}"}
    figures = json.loads(out.strip().splitlines()[-1])
    return {"wall": wall, **figures}


def main() -> None:
    from benchmarks.ingest import dataset, drop_database, migrated_bench_database, say
    from finops_assets.demo.generator.spec import DemoSpec, demo_months
    from finops_core.months import format_month

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000, 10_000_000])
    parser.add_argument("--csv-rows", type=int, default=1_000_000, help="0: no CSV month")
    parser.add_argument("--tree", action="append", required=True, help="label=path of a checkout")
    parser.add_argument("--skip", action="append", default=[], help="label:rows of a run to leave out")
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench-memory")
    parser.add_argument("--keep-files", action="store_true")
    args = parser.parse_args()
    trees = dict(tree.split("=", 1) for tree in args.tree)
    month_date = demo_months(1)[0]
    month = format_month(month_date)
    runs = [("parquet", rows) for rows in args.rows] + ([("csv", args.csv_rows)] if args.csv_rows else [])
    say(f"load average {os.getloadavg()}; month {month}; trees {trees}")
    try:
        for fmt, rows in runs:
            spec = DemoSpec(months=(month_date,), rows_per_month=rows, applications=2_000, products=500)
            folder = args.data_dir / f"{fmt}-{rows}"
            files = dataset(spec, folder, fmt)
            size = sum(p.stat().st_size for p in files)
            say(f"{fmt} {rows:,} rows ({size / 1e6:,.0f} MB):")
            for label, tree in trees.items():
                if f"{label}:{rows}" in args.skip:
                    say(f"  {label:>7}: skipped")
                    continue
                work = args.data_dir / f"work-{label}"
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
                admin, name, url = migrated_bench_database(args.data_dir)
                try:
                    got = run_tree(Path(tree).resolve(), folder, fmt, url, work, month)
                finally:
                    drop_database(admin, name)
                    shutil.rmtree(work, ignore_errors=True)
                if "failed" in got:
                    say(f"  {label:>7}: {got['failed']}")
                    continue
                seconds = float(str(got["seconds"]))  # float ok: a timing
                peak = int(str(got["peak_rss"]))
                say(f"  {label:>7}: peak RSS {peak / 1e6:,.0f} MB, {seconds:.2f} s in the run "
                    f"({float(str(got['wall'])):.2f} s with start-up) = {rows / seconds:,.0f} rows/s "
                    f"({got['steps']}); failed checks {got['failed_checks'] or 'none'}; "
                    f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
            if not args.keep_files:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.keep_files:
            shutil.rmtree(args.data_dir, ignore_errors=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        at = sys.argv.index("--child")
        config, url, home, month, source = sys.argv[at + 1 : at + 6]
        sys.path.insert(0, os.getcwd())
        child(Path(config), url, Path(home), month, source)
    else:
        main()
