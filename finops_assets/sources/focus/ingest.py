"""Ingest one (source, month) of FOCUS files into the landing layer."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from finops_assets.landing import SOURCE_FILES, LandingSlice, publish, staging_folder
from finops_assets.sources.decimals import parse_decimal
from finops_assets.sources.files import FileMonthIndex, source_files
from finops_assets.sources.focus.mapping import FocusOptions
from finops_assets.sources.focus.normalize import NORMALISED_COLUMNS, consumption_facts, normalize_focus
from finops_assets.sources.focus.reader import (
    MONTH_COLUMN,
    file_months,
    month_expr,
    read_focus_file,
    read_month_column,
)
from finops_core.decimals import exact_text
from finops_core.months import format_month


@dataclass(frozen=True)
class IngestSummary:
    rows_read: int
    rows_rejected: int
    files: list[dict[str, object]]
    source_cost: dict[str, Decimal]
    rejected_cost: dict[str, Decimal]

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _cost_by_currency(frame: pl.DataFrame, options: FocusOptions) -> dict[str, Decimal]:
    """The cost column's exact total per currency, over the rows as the file states them."""
    if frame.height == 0 or options.cost_column not in frame.columns:
        return {}
    value, _ = parse_decimal(options.cost_column, frame.schema[options.cost_column])
    currency = (
        pl.col("BillingCurrency").cast(pl.String).str.strip_chars().str.to_uppercase()
        if "BillingCurrency" in frame.columns
        else pl.lit(options.default_currency, pl.String)
    )
    raw = pl.col(options.cost_column)
    valued = frame.select(currency.fill_null("?").alias("currency"), value.alias("cost"), raw.alias("raw"))
    totals = valued.drop_nulls("cost").group_by("currency").agg(pl.col("cost").sum())
    result: dict[str, Decimal] = {row["currency"]: row["cost"] for row in totals.iter_rows(named=True)}
    # Numbers too large or too precise for Decimal(38, 18) are rejected, but they are still the
    # file's money: count them exactly, with Python's unbounded decimals (they are few).
    for row in valued.filter(pl.col("cost").is_null() & pl.col("raw").is_not_null()).iter_rows(named=True):
        try:
            amount = Decimal(str(row["raw"]).strip())
        except InvalidOperation:
            continue  # not a number: no amount to count
        if amount.is_finite():
            result[row["currency"]] = result.get(row["currency"], Decimal(0)) + amount
    return result


def read_month(files: list[Path], month: date, index: FileMonthIndex) -> tuple[pl.DataFrame, list[Path]]:
    """The month's records from the files that hold it, with `_file`, `_line` and `_month`.
    Rows whose own month is unreadable belong to their file's earliest month."""
    wanted = format_month(month)
    frames: list[pl.DataFrame] = []
    used: list[Path] = []
    for path in files:
        months = index.lookup(path)
        if months is None and (month_column := read_month_column(path)) is not None:
            months = index.store(path, file_months(month_column, path))  # Parquet: one column
        if months is not None and wanted not in months.months:
            continue
        frame = read_focus_file(path)
        if months is None:  # CSV seen for the first time (or changed): index it from this read
            months = index.store(path, file_months(frame, path))
            if wanted not in months.months:
                continue
        row_month = month_expr()
        in_month = frame.select(
            (row_month == wanted) | (row_month.is_null() & pl.lit(months.default_month == wanted))
        ).to_series()
        if not in_month.all():  # a filter copies every column: skip it for one-month files
            frame = frame.filter(in_month)
        frames.append(frame.with_columns(pl.lit(str(path)).alias("_file"), pl.lit(wanted).alias("_month")))
        used.append(path)
    if not frames:
        # No file holds the month (any more): an empty slice, whose load empties the month.
        columns = ("_file", "_month", MONTH_COLUMN)
        empty = pl.DataFrame(schema={"_line": pl.UInt32} | dict.fromkeys(columns, pl.String))
        return empty, used
    return pl.concat(harmonise(frames), how="diagonal_relaxed"), used


def harmonise(frames: list[pl.DataFrame]) -> list[pl.DataFrame]:
    """Files of one source that type a column differently (a Decimal cost here, a float there;
    naive and UTC timestamps) would be merged to a common supertype, which for a decimal and a
    float is a float: money rounded silently. Such columns are turned into text in every file
    first (exact for decimals; a float's shortest text is the value its writer meant)."""
    types: dict[str, set[pl.DataType]] = {}
    for frame in frames:
        for name, dtype in frame.schema.items():
            types.setdefault(name, set()).add(dtype)
    conflicting = [name for name, kinds in types.items() if len(kinds) > 1]
    if not conflicting:
        return frames
    nested = [n for n in conflicting if any(isinstance(t, (pl.Struct, pl.List)) for t in types[n])]
    if nested:
        raise ValueError(
            f"the files of this month disagree on the type of {', '.join(nested)} "
            f"({', '.join(sorted(str(t) for t in types[nested[0]]))}); export them alike"
        )

    def as_text(frame: pl.DataFrame, name: str) -> pl.Expr:
        dtype = frame.schema[name]
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return column.cast(pl.String)

    return [
        frame.with_columns(as_text(frame, name) for name in conflicting if name in frame.columns)
        for frame in frames
    ]


def land_lines(lines: pl.DataFrame, used: list[Path], staging: Path) -> str:
    """Write the month's lines into the landing folder; returns the layout used.

    `full`: every source column plus the normalised ones, in lines.parquet (CSV sources: the
    landing is also their columnar copy). `source_files`: when every file read is Parquet, the
    files themselves are copied byte for byte into source_files/ and lines.parquet holds the
    normalised columns with `_file` and `_line` pointing into those copies. Re-encoding the 46
    source columns took a third of a month's time (1.4-1.9 s per 1M lines); a copy of the
    provider's own bytes is faster and better lineage.
    """
    if not used or not all(p.name.lower().endswith(".parquet") for p in used):
        lines.write_parquet(staging / "lines.parquet", compression="lz4", row_group_size=100_000)
        return "full"
    copies = staging / SOURCE_FILES
    copies.mkdir()
    landed: dict[str, str] = {}
    for number, path in enumerate(used):
        name = f"{number:03d}_{path.name}"
        shutil.copyfile(path, copies / name)
        landed[str(path)] = f"{SOURCE_FILES}/{name}"
    narrow = lines.select(
        pl.col("_file").replace_strict(landed, return_dtype=pl.String), "_line", *NORMALISED_COLUMNS
    )
    narrow.write_parquet(staging / "lines.parquet", compression="lz4")
    return SOURCE_FILES


def ingest_focus_month(
    source_path: Path,
    options: FocusOptions,
    slice_: LandingSlice,
    log: Callable[[str], None] = lambda _: None,
) -> IngestSummary:
    # a landing folder inside the source folder holds copies of its files: never read those
    landing = slice_.root.resolve()
    files = [p for p in source_files(source_path) if not p.resolve().is_relative_to(landing)]
    index = FileMonthIndex(slice_.root / slice_.source / "_file_index.json")
    raw, used = read_month(files, slice_.month, index)
    log(f"read {raw.height} rows for {format_month(slice_.month)} from {len(used)} of {len(files)} files")
    lines, rejects = normalize_focus(raw, options)
    staging = staging_folder(slice_)
    facts, products = consumption_facts(lines, options)
    facts.write_parquet(staging / "facts.parquet")
    products.write_parquet(staging / "products.parquet")
    rejects.write_parquet(staging / "rejects.parquet", compression="lz4")
    layout = land_lines(lines, used, staging)
    landed_files = [{"path": str(p), "size": p.stat().st_size, "sha256": _sha256(p)} for p in used]
    summary = IngestSummary(
        rows_read=raw.height,
        rows_rejected=rejects.height,
        files=landed_files,
        source_cost=_cost_by_currency(raw, options),
        rejected_cost=_cost_by_currency(rejects, options),
    )
    manifest = {
        "source": slice_.source,
        "month": format_month(slice_.month),
        "cost_column": options.cost_column,
        "rows_read": summary.rows_read,
        "rows_rejected": summary.rows_rejected,
        "rows_loaded": int(facts["line_count"].sum()) if facts.height else 0,
        "facts_sha256": _sha256(staging / "facts.parquet"),
        "files": summary.files,
        "lines_layout": layout,
        "source_cost": {k: exact_text(v) for k, v in summary.source_cost.items()},
        "rejected_cost": {k: exact_text(v) for k, v in summary.rejected_cost.items()},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    publish(slice_, staging)
    log(f"landed {lines.height} lines and {rejects.height} rejects in {slice_.folder}")
    return summary
