"""Reading FOCUS files as providers write them: CSV (optionally gzip) or Parquet.

CSV is read with every column as text, so nothing is guessed or rounded on the way in: the
literal NULL/null tokens and empty cells are nulls, a UTF-8 BOM is dropped, headers are mapped
to their FOCUS spelling, and blank lines (which are not records) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import polars as pl

from finops_assets.sources.csv_blocks import CsvBlock, csv_header, csv_records, csv_text_batches
from finops_assets.sources.files import (
    NULL_TOKENS,
    UnplaceableFileError,  # noqa: F401  (raised here, and imported from here)
    null_parquet_column,
    parquet_batches,
    placed_months,
    read_csv_text,
    refuse_reserved_columns,
    with_line_numbers,
)
from finops_assets.sources.focus.columns import canonical_name
from finops_core.months import MONTH_PATTERN

MONTH_COLUMN = "BillingPeriodStart"


def _is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def _canonical_renames(columns: list[str]) -> dict[str, str]:
    """FOCUS spellings for the headers. When two headers map to one name (`billingcurrency` and
    `BillingCurrency`, or `Region` beside `RegionId`), the one already spelt right wins and the
    other keeps its own name, as an extra column."""
    taken = set(columns)
    renames: dict[str, str] = {}
    for name in columns:
        target = canonical_name(name)
        if target != name and target not in taken:
            renames[name] = target
            taken.add(target)
    return renames


def _with_canonical_names(frame: pl.DataFrame) -> pl.DataFrame:
    frame = frame.rename(_canonical_renames(frame.columns))
    month = frame.schema.get(MONTH_COLUMN)
    if isinstance(month, pl.Datetime) and month.time_zone not in (None, "UTC"):
        # the month of a billing period is the UTC one (FOCUS dates are UTC)
        frame = frame.with_columns(pl.col(MONTH_COLUMN).dt.convert_time_zone("UTC"))
    return frame


def _checked(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    refuse_reserved_columns(path, frame.columns)
    return frame


def read_focus_file(path: Path) -> pl.DataFrame:
    """The file's records with FOCUS column names and `_line`, the 1-based record number."""
    frame = pl.read_parquet(path) if _is_parquet(path) else read_csv_text(path)
    return _with_canonical_names(_checked(frame, path)).with_row_index("_line", offset=1)


def focus_file_batches(
    path: Path, size: int, columns: frozenset[str] | None = None, blocks: list[CsvBlock] | None = None
) -> Iterator[pl.DataFrame]:
    """`read_focus_file` in batches of at most `size` records, read as they are needed; with the
    `columns` (FOCUS names) alone when given. A CSV file's batches note their places in
    `blocks` (for focus_records)."""
    if columns is None:
        batches = parquet_batches(path, size) if _is_parquet(path) else csv_text_batches(path, size)
        batches = (_checked(batch, path) for batch in batches)
    else:
        names = list(pl.read_parquet_schema(path)) if _is_parquet(path) else csv_header(path)
        refuse_reserved_columns(path, names)  # every column is read when a record is rejected
        renames = _canonical_renames(names)
        read = [n for n in names if renames.get(n, n) in columns]
        if _is_parquet(path):
            batches = parquet_batches(path, size, read)
        else:
            batches = csv_text_batches(path, size, read, blocks)
    return with_line_numbers(_with_canonical_names(batch) for batch in batches)


def focus_records(path: Path, lines: pl.Series, blocks: list[CsvBlock] | None = None) -> pl.DataFrame:
    """The records of a FOCUS file at these line numbers, every column, with `_line`: of a
    Parquet file, only the row groups from the first to the last of them are read; of a CSV
    file, only the blocks holding them (`blocks`, as its batches noted them)."""
    if not _is_parquet(path):
        return _with_canonical_names(csv_records(path, blocks or [], lines))
    first, last = int(lines.min()), int(lines.max())  # type: ignore[arg-type]
    frame = pl.scan_parquet(path).slice(first - 1, last - first + 1).collect()
    frame = _with_canonical_names(frame).with_row_index("_line", offset=first)
    return frame.filter(pl.col("_line").is_in(lines.implode()))


def _month_of(value: object) -> str | None:
    """YYYY-MM of a date or timestamp, as written (an offset does not move a text's month);
    None unless the whole value is one: `2024-09-31` and `2024-09xyz` are not."""
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    if not isinstance(value, str) or len(text := value.strip()) < 10:
        return None
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return None
    return text[:7] if re.match(MONTH_PATTERN, text[:7]) else None


def month_expr(frame: pl.DataFrame | None = None) -> pl.Expr:
    """YYYY-MM of BillingPeriodStart, or null when it is missing or not a date or timestamp.
    A month has few distinct values: each is checked once and the rows mapped onto them."""
    if frame is None or MONTH_COLUMN not in frame.columns:
        return pl.lit(None, pl.String)
    distinct = frame[MONTH_COLUMN].unique().drop_nulls()
    months = pl.Series([_month_of(v) for v in distinct.to_list()], dtype=pl.String)
    return pl.col(MONTH_COLUMN).replace_strict(distinct, months, default=None, return_dtype=pl.String)


def _csv_months(path: Path) -> pl.DataFrame | None:
    """A CSV file's distinct month values, parsed with the month column alone, when one of them
    is a month; None otherwise (the file is then read whole, for the exact error)."""
    try:
        scan = pl.scan_csv(path, infer_schema=False, null_values=NULL_TOKENS, raise_if_empty=False)
        names = scan.collect_schema().names()
        source = next((n for n in names if _canonical_renames(names).get(n, n) == MONTH_COLUMN), None)
        if source is None:
            return None
        distinct = scan.select(pl.col(source).alias(MONTH_COLUMN)).unique().collect(engine="streaming")
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError):
        return None  # read whole, where the error is told with its line
    return distinct if distinct.select(month_expr(distinct).is_not_null().any()).item() else None


def read_month_column(path: Path) -> pl.DataFrame | None:
    """For Parquet, the month column alone (cheap: columnar); for CSV, its distinct values
    (parsed with the month column alone, never held whole); None when the whole file has to
    be read (a CSV file whose months cannot be read that way)."""
    if not _is_parquet(path):
        return _csv_months(path)
    names = [name for name in pl.read_parquet_schema(path) if canonical_name(name) == MONTH_COLUMN]
    if not names:
        return null_parquet_column(path, MONTH_COLUMN)
    # the distinct values are enough, unless none is a month (the error counts the rows)
    distinct = _with_canonical_names(pl.scan_parquet(path).select(names[0]).unique().collect())
    if distinct.select(month_expr(distinct).is_not_null().any()).item():
        return distinct
    return _with_canonical_names(pl.read_parquet(path, columns=names[:1]))


def file_months(frame: pl.DataFrame, path: Path) -> set[str]:
    """The billing months a file's records hold; an error when it has records but none of them
    can be placed in a month."""
    if MONTH_COLUMN not in frame.columns:
        months: set[str] = set()
    else:
        months = set(frame.select(month_expr(frame).unique().drop_nulls()).to_series().to_list())
    return placed_months(months, frame.height, path, MONTH_COLUMN)


class FocusFiles:
    """The FOCUS reader for the shared month reading (finops_assets.sources.monthly). It keeps
    where the batches of each CSV file it read lie, so that `records` reads some of them again
    whole (a reader a month: its files' places are that month's)."""

    empty_columns: tuple[str, ...] = (MONTH_COLUMN,)
    month_label = MONTH_COLUMN

    def __init__(self) -> None:
        self.csv_blocks: dict[Path, list[CsvBlock]] = {}

    def read(self, path: Path) -> pl.DataFrame:
        return read_focus_file(path)

    def batches(self, path: Path, size: int, columns: frozenset[str] | None = None) -> Iterator[pl.DataFrame]:
        self.csv_blocks[path] = []  # read again from the start: the same places are noted again
        return focus_file_batches(path, size, columns, self.csv_blocks[path])

    def records(self, path: Path, lines: pl.Series) -> pl.DataFrame:
        """The records at these line numbers of a file this reader read, every column."""
        return focus_records(path, lines, self.csv_blocks.get(path))

    def month_column(self, path: Path) -> pl.DataFrame | None:
        return read_month_column(path)

    def months(self, frame: pl.DataFrame, path: Path) -> set[str]:
        return file_months(frame, path)

    def row_month(self, frame: pl.DataFrame, path: Path) -> pl.Expr:
        return month_expr(frame)
