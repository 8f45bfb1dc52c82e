"""Landing one FOCUS month in this process and printing its peak memory: run by
tests/test_ingest_memory.py as `python -m tests.month_peak FOLDER LANDING MONTH`, in a process
of its own, so that the peak is that landing's alone.

Prints one JSON object: `peak_mib`, the process's VmHWM (its own high-water mark; resource's
ru_maxrss of a child keeps the forked parent's), and `rows`, the records read.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from finops_assets.landing import LandingSlice
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import FocusOptions


def peak_mib() -> int:
    status = Path("/proc/self/status").read_text()
    return next(int(row.split()[1]) // 1024 for row in status.splitlines() if row.startswith("VmHWM:"))


def main(folder: Path, landing: Path, month: date) -> None:
    options = FocusOptions(application_tag="application")
    summary = ingest_focus_month(folder, options, LandingSlice(landing, "cloud", month))
    print(json.dumps({"peak_mib": peak_mib(), "rows": summary.rows_read}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[3]))
