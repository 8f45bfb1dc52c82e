"""A month's records in batches: which files hold the month, then their records a batch at a
time, each placed in its month (or rejected for it), so a month is never held whole.

The batch size is FINOPS_INGEST_BATCH_ROWS (records a batch, default 250,000): what a batch
holds at once (its raw columns, the normalised lines, the checks) is what the ingest's memory
grows with, not the rows of the month.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from finops_assets.sources.file_index import FileMonthIndex
from finops_assets.sources.files import READ_PROBLEM, frame_batches, reading
from finops_assets.sources.monthly import (
    MonthlyReader,
    Partitions,
    home_month,
    outside_partitions,
    outside_problem,
)
from finops_core.months import format_month

BATCH_ROWS_SETTING = "FINOPS_INGEST_BATCH_ROWS"
DEFAULT_BATCH_ROWS = 250_000
"""One month of 1M to 10M FOCUS lines peaks at 0.61-0.89 GB with it (README, "Memory of an
ingest"); a smaller batch lowers that, at a cost per batch."""
MAX_BATCH_ROWS = 100_000_000
"""More than any month a machine reads in one batch (the JSON lines reader counts in 32 bits)."""


def batch_rows() -> int:
    """The records of a batch: FINOPS_INGEST_BATCH_ROWS, else DEFAULT_BATCH_ROWS."""
    text = os.environ.get(BATCH_ROWS_SETTING, "").strip()
    if not text:
        return DEFAULT_BATCH_ROWS
    # isdigit alone takes '²' and other scripts' digits, which int() then refuses
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_BATCH_ROWS:
        raise ValueError(
            f"{BATCH_ROWS_SETTING}={text!r}: expected a whole number of rows, from 1 to {MAX_BATCH_ROWS:,}"
        )
    return int(text)


@dataclass(frozen=True)
class MonthFile:
    """A file holding records of the month (or records it rejects: home_month)."""

    path: Path
    months: frozenset[str]
    whole: pl.DataFrame | None = None
    """The file as read whole, when its months could only be found that way (read once)."""


def month_plan(
    files: list[Path], month: date, index: FileMonthIndex, reader: MonthlyReader, partitions: Partitions
) -> list[MonthFile]:
    """The files that hold the month, from the month index (else from their month column, else
    from reading them whole, once): records no partition holds (month unreadable or outside
    `partitions`) are read by their file's home month, to be rejected there."""
    wanted = format_month(month)
    plan: list[MonthFile] = []
    for path in files:
        whole = None
        with reading(path):
            if index.hashed(path):
                months = index.lookup(path)
                month_column = reader.month_column(path) if months is None else None
            else:  # a new file is hashed while its month column is read (826 MB of CSV: 0.47 s
                # of sha256 beside 0.36 s of parsing); a known content's column goes unused
                with ThreadPoolExecutor(1) as pool:
                    digest = pool.submit(index.content_hash, path)
                    month_column = reader.month_column(path)
                    digest.result()
                months = index.lookup(path)
            if months is None and month_column is not None:
                months = index.store(path, reader.months(month_column, path))
            if months is None:  # seen for the first time (or changed): index it from this read
                whole = reader.read(path)
        if months is None:
            assert whole is not None
            months = index.store(path, reader.months(whole, path))
        if wanted in months or home_month(months, partitions) == wanted:
            plan.append(MonthFile(path, months, whole))
    return plan


def month_batches(
    plan: list[MonthFile],
    month: date,
    reader: MonthlyReader,
    partitions: Partitions,
    size: int,
    columns: frozenset[str] | None = None,
) -> Iterator[pl.DataFrame]:
    """The month's records, a batch at a time, with `_file`, `_line`, `_month` and READ_PROBLEM
    (and only `columns` of the file's own, when given and the reader can); one empty batch when
    no file holds the month (its load empties the month)."""
    wanted = format_month(month)
    if not plan:
        texts = ("_file", "_month", READ_PROBLEM, *reader.empty_columns)
        yield pl.DataFrame(schema={"_line": pl.UInt32} | dict.fromkeys(texts, pl.String))
        return
    for file in plan:
        path = file.path
        at_home = home_month(file.months, partitions) == wanted
        batches = (
            frame_batches(file.whole, size) if file.whole is not None else reader.batches(path, size, columns)
        )
        while True:
            with reading(path):
                frame = next(batches, None)
            if frame is None:
                break
            row_month = reader.row_month(frame, path)
            outside = outside_partitions(row_month, partitions)
            placed = row_month.is_not_null() & ~outside
            flags = frame.select(
                in_month=(placed & (row_month == wanted)) | (~placed & at_home), outside=outside
            )
            in_month = flags["in_month"]
            # the reason is a text formatted for every row: only when a row is outside
            problem = (
                outside_problem(row_month, reader.month_label, partitions)
                if flags["outside"].any()
                else pl.lit(None, pl.String)
            )
            frame = frame.with_columns(problem.alias(READ_PROBLEM))
            if not in_month.all():  # a filter copies every column: skip it for one-month files
                frame = frame.filter(in_month)
            yield frame.with_columns(pl.lit(str(path)).alias("_file"), pl.lit(wanted).alias("_month"))


def read_ahead(batches: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """The batches, the next one read in a thread while the caller works on the current one
    (polars reads without the GIL): reading a FOCUS Parquet month is a sixth of its landing.
    Two batches are held at once instead of one."""
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as reader:
            pending = reader.submit(next, batches, None)
            while (batch := pending.result()) is not None:
                pending = reader.submit(next, batches, None)
                yield batch
    finally:
        if isinstance(batches, Generator):  # its files closed now, not when collected
            batches.close()
