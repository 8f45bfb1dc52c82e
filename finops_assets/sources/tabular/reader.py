"""Reading tabular exports (CSV, optionally gzip; JSON lines; Parquet) and placing their
records in months, from a month column or from the file's name.

CSV is read with every column as text and JSON lines with every scalar as the text written
(numbers too: 12.50 stays '12.50', never a float), so nothing is rounded on the way in.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from finops_assets.sources.csv_blocks import csv_text_batches
from finops_assets.sources.files import (
    RESERVED_COLUMNS,
    UnplaceableFileError,
    frame_batches,
    null_parquet_column,
    open_text,
    parquet_batches,
    placed_months,
    read_csv_text,
    reading,
    refuse_reserved_columns,
    with_line_numbers,
)
from finops_core.months import MONTH_PATTERN
from finops_core.tabular import MonthSpec, file_name_month

UNREADABLE = "_unreadable"
"""The column holding the text of a record that could not be parsed (JSON lines)."""
RESERVED = (*RESERVED_COLUMNS, UNREADABLE)
EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (its serial numbers count days from it)."""
FORMAT_SUFFIXES = {
    "csv": (".csv", ".csv.gz", ".csv.zip"),
    "jsonl": (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"),
    "parquet": (".parquet",),
}


def suffixes(file_format: str | None) -> tuple[str, ...]:
    if file_format is not None:
        return FORMAT_SUFFIXES[file_format]
    return tuple(s for group in FORMAT_SUFFIXES.values() for s in group)


def file_format(path: Path, configured: str | None) -> str:
    if configured is not None:
        return configured
    name = path.name.lower()
    return next(kind for kind, ends in FORMAT_SUFFIXES.items() if name.endswith(ends))


def _scalar_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # an object or a list: kept as its JSON text


def _parse_line(text: str) -> dict[str, str | None] | None:
    """The line's object, every value as text; None when the line is not a JSON object."""
    try:
        record = json.loads(text, parse_float=str, parse_int=str)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    return {str(k): _scalar_text(v) for k, v in record.items()}


def read_json_lines(path: Path) -> pl.DataFrame:
    """One record per non-blank line, every value as text; `_line` is the line number. A line
    that is not a JSON object is a record of one column, `_unreadable`, holding its text."""
    records: list[dict[str, str | None]] = []
    lines: list[int] = []
    with reading(path), open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                record = _parse_line(text)
                if record is None:  # kept whole, for normalisation to reject with a reason
                    record = {UNREADABLE: text.rstrip("\r\n")}
                else:
                    refuse_reserved_columns(path, record, RESERVED)
                records.append(record)
                lines.append(number)
    columns = list(dict.fromkeys(key for record in records for key in record))
    frame = pl.DataFrame(
        {c: [r.get(c) for r in records] for c in columns}, schema=dict.fromkeys(columns, pl.String)
    )
    return frame.with_columns(pl.Series("_line", lines, dtype=pl.UInt32)).select("_line", *columns)


def _own_columns(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """The file's columns named without surrounding spaces or a BOM, none named as the
    platform's own."""
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    refuse_reserved_columns(path, frame.columns, RESERVED)
    return frame


def read_tabular_file(path: Path, configured_format: str | None = None) -> pl.DataFrame:
    """The file's records with `_line`, the 1-based record number (JSON lines: line number)."""
    kind = file_format(path, configured_format)
    if kind == "jsonl":
        return read_json_lines(path)
    frame = pl.read_parquet(path) if kind == "parquet" else read_csv_text(path)
    return _own_columns(frame, path).with_row_index("_line", offset=1)


def tabular_file_batches(
    path: Path, size: int, configured_format: str | None = None
) -> Iterator[pl.DataFrame]:
    """`read_tabular_file` in batches of at most `size` records; CSV and Parquet are read as
    they are needed, JSON lines (parsed line by line in Python) whole."""
    kind = file_format(path, configured_format)
    if kind == "jsonl":
        return frame_batches(read_json_lines(path), size)
    batches = parquet_batches(path, size) if kind == "parquet" else csv_text_batches(path, size)
    return with_line_numbers(_own_columns(batch, path) for batch in batches)


def month_of(value: object) -> str | None:
    """YYYY-MM of a month, date or timestamp (text or typed; a number as its text: 202401 as
    YYYYMM, 45292 or 45292.0 as Excel days); a timestamp with an offset is placed in its UTC
    month. None when the value is none of those."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        value = str(value)  # a month column typed as numbers by its file (Parquet, JSON lines)
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo is not None else value
        return f"{moment.year:04d}-{moment.month:02d}"
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    if not isinstance(value, str):
        return None
    text = value.strip()
    if excel := re.fullmatch(r"(\d{5})(?:\.\d+)?", text):  # an Excel serial day (1927 to 2173)
        return month_of(EXCEL_EPOCH + timedelta(days=int(excel.group(1))))
    if len(text) == 7:
        return text if re.match(MONTH_PATTERN, text) else None
    if re.fullmatch(r"\d{6}", text):  # YYYYMM, a billing month (GCP invoice.month)
        return month_of(f"{text[:4]}-{text[4:]}")
    if us := re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})\b", text):  # MM/DD/YYYY, US order
        month, day, year = (int(part) for part in us.groups())
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None
    if len(text) < 10:
        return None
    try:
        return month_of(datetime.fromisoformat(text))
    except ValueError:
        return None


class TabularFiles:
    """The tabular reader for the shared month reading (finops_assets.sources.monthly)."""

    def __init__(self, month: MonthSpec, configured_format: str | None = None) -> None:
        self.spec = month
        self.configured_format = configured_format
        self.empty_columns: tuple[str, ...] = (month.column,) if month.column else ()
        self.month_label = month.column or "file name month"

    def index_name(self) -> str:
        """The file month index depends on where months come from."""
        key = f"column:{self.spec.column}" if self.spec.column else f"name:{self.spec.from_file_name}"
        return f"_file_index_{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"

    def read(self, path: Path) -> pl.DataFrame:
        return read_tabular_file(path, self.configured_format)

    def batches(self, path: Path, size: int, columns: frozenset[str] | None = None) -> Iterator[pl.DataFrame]:
        return tabular_file_batches(path, size, self.configured_format)  # every column: no projection

    def _name_month(self, path: Path) -> str:
        assert self.spec.from_file_name is not None
        month = file_name_month(self.spec.from_file_name, path.name)
        if month is None:
            raise UnplaceableFileError(
                f"{path}: its name has no month matching {self.spec.from_file_name!r}, "
                "so the file cannot be placed in a month partition"
            )
        return month

    def month_column(self, path: Path) -> pl.DataFrame | None:
        if self.spec.from_file_name is not None:
            self._name_month(path)
            return pl.DataFrame()
        if file_format(path, self.configured_format) != "parquet":
            return None
        column = self.spec.column
        assert column is not None
        if column in pl.read_parquet_schema(path):
            return pl.read_parquet(path, columns=[column])
        return null_parquet_column(path, column)

    def months(self, frame: pl.DataFrame, path: Path) -> set[str]:
        if self.spec.from_file_name is not None:
            return {self._name_month(path)}
        column = self.spec.column
        months: set[str] = set()
        if column in frame.columns:
            months = {m for v in frame[column].unique().to_list() if (m := month_of(v)) is not None}
        return placed_months(months, frame.height, path, str(column))

    def row_month(self, frame: pl.DataFrame, path: Path) -> pl.Expr:
        if self.spec.from_file_name is not None:
            return pl.lit(self._name_month(path), pl.String)
        return month_expr(frame, self.spec.column)


def month_expr(frame: pl.DataFrame, column: str | None) -> pl.Expr:
    """YYYY-MM of each row's month column, null when missing or unreadable. A month has few
    distinct values (dates, timestamps): each is parsed once and the rows mapped onto them."""
    if column is None or column not in frame.columns:
        return pl.lit(None, pl.String)
    distinct = frame[column].unique().drop_nulls()
    months = pl.Series([month_of(v) for v in distinct.to_list()], dtype=pl.String)
    return pl.col(column).replace_strict(distinct, months, default=None, return_dtype=pl.String)
