"""Reading FOCUS files as providers write them: CSV (optionally gzip) or Parquet.

CSV is read with every column as text, so nothing is guessed or rounded on the way in: the
literal NULL/null tokens and empty cells are nulls, a UTF-8 BOM is dropped, headers are mapped
to their FOCUS spelling, and blank lines (which are not records) are skipped.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import polars as pl

from finops_assets.sources.files import (
    UnplaceableFileError,  # noqa: F401  (raised here, and imported from here)
    null_parquet_column,
    placed_months,
    read_csv_text,
)
from finops_assets.sources.focus.columns import canonical_name
from finops_core.months import MONTH_PATTERN

MONTH_COLUMN = "BillingPeriodStart"


def _is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


def _with_canonical_names(frame: pl.DataFrame) -> pl.DataFrame:
    """FOCUS spellings for the headers. When two headers map to one name (`billingcurrency` and
    `BillingCurrency`, or `Region` beside `RegionId`), the one already spelt right wins and the
    other keeps its own name, as an extra column."""
    taken = set(frame.columns)
    renames: dict[str, str] = {}
    for name in frame.columns:
        target = canonical_name(name)
        if target != name and target not in taken:
            renames[name] = target
            taken.add(target)
    frame = frame.rename(renames)
    month = frame.schema.get(MONTH_COLUMN)
    if isinstance(month, pl.Datetime) and month.time_zone not in (None, "UTC"):
        # the month of a billing period is the UTC one (FOCUS dates are UTC)
        frame = frame.with_columns(pl.col(MONTH_COLUMN).dt.convert_time_zone("UTC"))
    return frame


def read_focus_file(path: Path) -> pl.DataFrame:
    """The file's records with FOCUS column names and `_line`, the 1-based record number."""
    if _is_parquet(path):
        frame = _with_canonical_names(pl.read_parquet(path))
    else:
        frame = _with_canonical_names(read_csv_text(path))
    return frame.with_row_index("_line", offset=1)


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


def read_month_column(path: Path) -> pl.DataFrame | None:
    """For Parquet, the month column alone (cheap: columnar); None for CSV, which has to be
    parsed whole anyway."""
    if not _is_parquet(path):
        return None
    names = [name for name in pl.read_parquet_schema(path) if canonical_name(name) == MONTH_COLUMN]
    if names:
        return _with_canonical_names(pl.read_parquet(path, columns=names[:1]))
    return null_parquet_column(path, MONTH_COLUMN)


def file_months(frame: pl.DataFrame, path: Path) -> set[str]:
    """The billing months a file's records hold; an error when it has records but none of them
    can be placed in a month."""
    if MONTH_COLUMN not in frame.columns:
        months: set[str] = set()
    else:
        months = set(frame.select(month_expr(frame).unique().drop_nulls()).to_series().to_list())
    return placed_months(months, frame.height, path, MONTH_COLUMN)


class FocusFiles:
    """The FOCUS reader for the shared month reading (finops_assets.sources.monthly)."""

    empty_columns: tuple[str, ...] = (MONTH_COLUMN,)
    month_label = MONTH_COLUMN

    def read(self, path: Path) -> pl.DataFrame:
        return read_focus_file(path)

    def month_column(self, path: Path) -> pl.DataFrame | None:
        return read_month_column(path)

    def months(self, frame: pl.DataFrame, path: Path) -> set[str]:
        return file_months(frame, path)

    def row_month(self, frame: pl.DataFrame, path: Path) -> pl.Expr:
        return month_expr(frame)
