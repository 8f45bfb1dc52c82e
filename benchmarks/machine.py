"""How fast this machine runs Python and its database, printed beside a benchmark's figures.

The sessions that measure the platform run on machines whose speed differs by 2x from one day to
the next (benchmarks/RESULTS.md): a figure against a fixed target ("<= 2 s") means little without
the machine's own. The Python reference is the loop RESULTS.md has quoted since 2026-12-06; it
did not follow the database steps (a session's loop came back to the fast machine's 0.62 s while
its valuation stayed 40% slower), hence a database reference of the steps' own kind: a month's
rows of two pricing views written into a table with two B-trees, then rolled up.
"""

from __future__ import annotations

import os
import time

import psycopg

LOOP = compile("total = 0\nfor number in range(10_000_000):\n    total += number\n", "<loop>", "exec")
"""Written at a module's top level, as `python -c` runs it: its names are globals, as in the
loop RESULTS.md quotes (inside a function, locals make it about 4 times faster)."""

REFERENCE_ROWS = 70_000
"""The rows `mart/valuation` writes for a 1M-line benchmark month (35,207 a view, 2 views)."""
REFERENCE_WRITE = f"""
CREATE TABLE machine_reference (
    pricing_view_code text NOT NULL, application_code text NOT NULL, product_code text NOT NULL,
    quantity numeric NOT NULL, cost numeric NOT NULL);
CREATE INDEX ON machine_reference (pricing_view_code, application_code);
CREATE INDEX ON machine_reference (pricing_view_code, product_code);
INSERT INTO machine_reference
SELECT CASE WHEN n % 2 = 0 THEN 'actual' ELSE 'actual-rate' END, 'app-' || (n * 7919 % 2000),
       'product-' || (n % 500), n / 7.0, n * 1.23456789
  FROM generate_series(1, {REFERENCE_ROWS}) AS n;
SELECT count(*) FROM (SELECT pricing_view_code, application_code, sum(quantity), sum(cost)
                        FROM machine_reference GROUP BY 1, 2 ORDER BY 1, 2) AS rolled_up;
"""
"""A logged table, as the mart's are (its WAL is part of the steps' cost); rolled back."""


def reference_loop_seconds(rounds: int = 3) -> float:
    """The best of `rounds` timings of adding 10,000,000 integers in a Python loop."""
    best = float("inf")  # float ok: seconds
    for _ in range(rounds):
        started = time.perf_counter()
        exec(LOOP, {})  # our own constant code: a fresh namespace of globals
        best = min(best, time.perf_counter() - started)
    return best


def reference_database_seconds(url: str, rounds: int = 3) -> float:
    """The best of `rounds` timings of REFERENCE_WRITE on the database at `url`."""
    best = float("inf")  # float ok: seconds
    with psycopg.connect(url) as conn:
        for _ in range(rounds):
            started = time.perf_counter()
            conn.execute(REFERENCE_WRITE)
            best = min(best, time.perf_counter() - started)
            conn.rollback()
    return best


def machine_line(url: str) -> str:
    """One line naming the machine's cores, its Python's speed and its database's (at `url`)."""
    return (
        f"machine: {os.cpu_count()} cores; a 10M-addition Python loop takes {reference_loop_seconds():.2f} s "
        "(0.57-0.62 s on the machine of most RESULTS.md figures of 2026-12-06); "
        f"{REFERENCE_ROWS:,} rows written with two B-trees and rolled up: "
        f"{reference_database_seconds(url) * 1000:.0f} ms"
    )
