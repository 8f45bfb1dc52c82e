"""Where CSV records end: the quotes that decide it, and a file that ends inside its last record.

A transfer cut short leaves a file whose last record stops mid-field: polars reads it with its
missing fields null, so a line without its service, account and tags was loaded as a good one
(under an invented product and `unallocated`), and the records the cut lost were not missed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import polars as pl

TAIL_BYTES = 1 << 20
"""The end of a file searched for its last record: a CSV record is a few kilobytes at most."""
CHUNK_BYTES = 32 << 20


def quotes_before(buffer: bytes | bytearray, end: int) -> int:
    """The quote characters in the first `end` bytes of `buffer`, counted by polars over a view of
    them (no copy): 1.7 ms a 32 MB block with the GIL released, where bytes.count takes 11 ms
    holding it, on the path every block of the month takes (a 1M-line CSV month's landing 3.04 ->
    2.83 s, benchmarks/RESULTS.md)."""
    return int(pl.Series(np.frombuffer(buffer, np.uint8, count=end)).eq(ord('"')).sum())


def _quotes(path: Path) -> int:
    total = 0
    with path.open("rb") as raw:
        while chunk := raw.read(CHUNK_BYTES):
            total += quotes_before(chunk, len(chunk))
    return total


def cut_short(path: Path, header_fields: int) -> str | None:
    """Why the uncompressed file's last record is cut short, or None: a file that ends without
    a line end, inside a quoted field or with fewer fields than its header's. A file ending with
    a line end is whole as far as can be told. (A compressed file is not asked: gzip's and
    ZIP's own checks find it cut.)"""
    size = path.stat().st_size
    with path.open("rb") as raw:
        raw.seek(max(0, size - TAIL_BYTES))
        tail = raw.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return None
    inside = "it ends inside a quoted field, without a line end"
    if _quotes(path) % 2:  # read whole only for a file without a last line end: rare
        return inside
    # the last record starts after the last line end with an even number of quotes after it
    quotes = 0
    for at in range(len(tail) - 1, -1, -1):
        if tail[at] == ord('"'):
            quotes += 1
        elif tail[at] == ord("\n") and quotes % 2 == 0:
            record = tail[at + 1 :].decode("utf-8", errors="replace")
            try:  # strict: a record the csv module cannot parse whole is not whole either
                fields = len(next(csv.reader([record], strict=True), []))
            except csv.Error:
                return inside
            if fields < header_fields:
                return (
                    f"its last record has {fields} of the header's {header_fields} fields, without a line end"
                )
            return None
    return None  # the header alone, or a last record longer than TAIL_BYTES
