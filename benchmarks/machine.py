"""How fast this machine runs Python, printed beside a benchmark's figures.

The sessions that measure the platform run on machines whose speed differs by 2x from one day to
the next (benchmarks/RESULTS.md): a figure against a fixed target ("<= 2 s") means little without
the machine's own. The reference is the loop RESULTS.md has quoted since 2026-12-06.
"""

from __future__ import annotations

import os
import time

LOOP = compile("total = 0\nfor number in range(10_000_000):\n    total += number\n", "<loop>", "exec")
"""Written at a module's top level, as `python -c` runs it: its names are globals, as in the
loop RESULTS.md quotes (inside a function, locals make it about 4 times faster)."""


def reference_loop_seconds(rounds: int = 3) -> float:
    """The best of `rounds` timings of adding 10,000,000 integers in a Python loop."""
    best = float("inf")  # float ok: seconds
    for _ in range(rounds):
        started = time.perf_counter()
        exec(LOOP, {})  # our own constant code: a fresh namespace of globals
        best = min(best, time.perf_counter() - started)
    return best


def machine_line() -> str:
    """One line naming the machine's cores and speed."""
    return (
        f"machine: {os.cpu_count()} cores; a 10M-addition Python loop takes {reference_loop_seconds():.2f} s "
        "(0.57-0.62 s on the machine of most RESULTS.md figures of 2026-12-06)"
    )
