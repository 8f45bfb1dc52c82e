"""What every file-based source does with a month, whatever its format: find the files that
hold it, read its records, and land lines, rejects, facts, products and a manifest.

A source kind brings its reader (how to read a file and place its records in months) and its
normalisation; the rest (month index, harmonised types, landing layout, exact totals) is here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TypeVar

import polars as pl

from finops_assets.landing import LandingSlice
from finops_assets.sources.decimals import parse_decimal, written_decimal
from finops_assets.sources.file_index import FileMonthIndex
from finops_assets.sources.files import (
    READ_PROBLEM,
    SUPPORTED_SUFFIXES,
    source_files,
)
from finops_core.decimals import exact_sum, exact_text
from finops_core.months import format_month

Partitions = tuple[date | None, date | None]
"""The first and last month partitions (None: unbounded on that side)."""


class MonthlyReader(Protocol):
    """How a source kind reads its files and places their records in billing months."""

    month_label: str
    """The month column's name, for reject reasons."""

    empty_columns: tuple[str, ...]
    """The text columns of the frame read for a month no file holds."""

    def read(self, path: Path) -> pl.DataFrame:
        """The file's records with `_line`, the 1-based record number."""

    def batches(self, path: Path, size: int, columns: frozenset[str] | None = None) -> Iterator[pl.DataFrame]:
        """`read` in batches of at most `size` records, in file order (at least one batch);
        `columns`: only those are needed (a reader that cannot read columns alone reads all)."""

    def month_column(self, path: Path) -> pl.DataFrame | None:
        """What `months` needs, read cheaply (Parquet: the month column alone); None when the
        whole file has to be read anyway."""

    def months(self, frame: pl.DataFrame, path: Path) -> set[str]:
        """The YYYY-MM months the file's records hold; an error when none can be placed."""

    def row_month(self, frame: pl.DataFrame, path: Path) -> pl.Expr:
        """YYYY-MM of each record of `frame` (read from `path`), null when unreadable."""


@dataclass(frozen=True)
class IngestSummary:
    rows_read: int
    rows_rejected: int
    files: list[dict[str, object]]
    source_cost: dict[str, Decimal]
    rejected_cost: dict[str, Decimal]
    source_quantity: dict[str, Decimal] | None = None
    """Per unit, for sources whose quantities are conserved too (tabular); None otherwise."""
    rejected_quantity: dict[str, Decimal] | None = None
    rows_filtered: int = 0
    """Records the source's row filters dropped (tabular): neither loaded nor rejected."""
    filtered_cost: dict[str, Decimal] = field(default_factory=dict)
    """What the filtered records carried, per currency: part of source_cost, not of the mart."""
    filtered_quantity: dict[str, Decimal] | None = None
    reused: bool = False
    """The month's landing was kept as it was (the same files and settings): nothing was read."""

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected - self.rows_filtered


Gate = Callable[[IngestSummary, Counter[str]], None]
"""Raises when a normalised delivery (its summary, its rejects counted by reason) may not
replace the month."""


@dataclass(frozen=True)
class Delivery:
    """What a run asks of an ingest besides the month: the partitions' range (records outside
    it are rejected) and the gate a delivery passes before it lands (none: it always lands)."""

    partitions: Partitions = (None, None)
    gate: Gate | None = None
    reland: bool = False
    """Land the month again even when its delivery did not change (sources/manifest.py)."""


ANY_DELIVERY = Delivery()
"""No partition range, no gate: an ingest on its own (tests, tools)."""


def exact_texts(values: dict[str, Decimal]) -> dict[str, str]:
    return {key: exact_text(value) for key, value in values.items()}


ABSURD = Decimal("1e38")


NO_KEY = "?"
"""The key of the totals of rows that state none (a line with no currency)."""


def exact_totals(frame: pl.DataFrame) -> dict[str, Decimal]:
    """The exact total of `value` per `key` over a frame of those two columns, as the rows state
    them. Numbers too large or too precise for Decimal(38, 18) are rejected by normalisation but
    are still the file's: they are counted with Python's unbounded decimals (they are few).
    Magnitudes no NUMERIC(38) column could hold (1e400) are not amounts of money at all: they
    are left out of the totals (their rows are rejected all the same), so that one absurd cell
    does not make a file's total a 401-digit number."""
    if frame.height == 0:
        return {}
    value, _ = parse_decimal("value", frame.schema["value"])
    valued = frame.select(
        pl.col("key").fill_null(NO_KEY), value.alias("parsed"), pl.col("value").alias("raw")
    )
    totals = valued.drop_nulls("parsed").group_by("key").agg(pl.col("parsed").sum())
    result: dict[str, Decimal] = {row["key"]: row["parsed"] for row in totals.iter_rows(named=True)}
    for row in valued.filter(pl.col("parsed").is_null() & pl.col("raw").is_not_null()).iter_rows(named=True):
        amount = written_decimal(str(row["raw"]))
        if amount is None:
            continue  # not a number: no amount to count
        if amount.is_finite() and abs(amount) < ABSURD:
            result[row["key"]] = exact_sum(result.get(row["key"], Decimal(0)), amount)
    return result


def month_files(
    source_path: Path,
    slice_: LandingSlice,
    suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES,
    export_runs: bool = True,
) -> list[Path]:
    """The source's files (source_files), less any inside the landing folder (which holds
    copies of them)."""
    return outside_landing(source_files(source_path, suffixes, export_runs), slice_)


def outside_landing(files: list[Path], slice_: LandingSlice) -> list[Path]:
    """The files not inside the landing folder: a source path above it would find its copies."""
    landing = slice_.root.resolve()
    return [p for p in files if not p.resolve().is_relative_to(landing)]


def home_month(months: frozenset[str], partitions: Partitions) -> str | None:
    """The partition that reads a file's records that no partition holds (their month is
    unreadable or outside the partitions) and rejects them: the file's earliest month inside
    the partitions, else the partition nearest to its months; None for a file without months."""
    if not months:
        return None
    first, last = (format_month(m) if m else None for m in partitions)
    inside = [m for m in months if (first is None or m >= first) and (last is None or m <= last)]
    if inside:
        return min(inside)
    return first if first is not None and min(months) < first else last


def outside_partitions(row_month: pl.Expr, partitions: Partitions) -> pl.Expr:
    first, last = (format_month(m) if m else None for m in partitions)
    outside = pl.lit(False)
    if first is not None:
        outside = outside | (row_month < first)
    if last is not None:
        outside = outside | (row_month > last)
    return outside.fill_null(False)


def outside_problem(row_month: pl.Expr, label: str, partitions: Partitions) -> pl.Expr:
    """The reject reason of a record whose month is outside the partitions, null otherwise."""
    first, last = (format_month(m) if m else "any month" for m in partitions)
    return pl.when(outside_partitions(row_month, partitions)).then(
        pl.format(f"{label}: outside partitions: {{}} (they run from {first} to {last})", row_month)
    )


def _texts(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if dtype == pl.String]


def holds_nul(*frames: pl.DataFrame) -> bool:
    """Whether any text of these (small: facts, products) frames holds a NUL character, which
    PostgreSQL text cannot store."""
    return any(f[name].str.contains("\x00", literal=True).any() for f in frames for name in _texts(f))


def reject_nul(raw: pl.DataFrame) -> pl.DataFrame:
    """Records with a NUL character in a column rejected (READ_PROBLEM names the column), and
    every NUL made U+FFFD, so that the rejected raw values can be stored. Scanning every text
    of every record costs a quarter of reading a CSV: it runs only when the facts hold a NUL."""
    columns = [
        n for n in _texts(raw) if not n.startswith("_") and raw[n].str.contains("\x00", literal=True).any()
    ]
    problem = pl.coalesce(
        pl.col(READ_PROBLEM),
        *(
            pl.when(pl.col(n).str.contains("\x00", literal=True)).then(pl.lit(f"{n}: NUL character"))
            for n in columns
        ),
    )
    return raw.with_columns(problem.alias(READ_PROBLEM)).with_columns(
        pl.col(columns).str.replace_all("\x00", "\ufffd", literal=True)
    )


T = TypeVar("T")


def without_nul(
    raw: pl.DataFrame, normalise: Callable[[pl.DataFrame], T], texts: Callable[[T], Sequence[pl.DataFrame]]
) -> T:
    """`normalise(raw)`, again with the records holding a NUL character rejected when what it
    made for the mart (`texts` of it: rejects, facts and products) holds one."""
    result = normalise(raw)
    return normalise(reject_nul(raw)) if holds_nul(*texts(result)) else result


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def harmonise(frames: list[Frame]) -> list[Frame]:
    """Files of one source that type a column differently (a Decimal cost here, a float there;
    naive and UTC timestamps) would be merged to a common supertype, which for a decimal and a
    float is a float: money rounded silently. Such columns are turned into text in every file
    first (exact for decimals; a float's shortest text is the value its writer meant)."""
    schemas = [frame.collect_schema() for frame in frames]
    types: dict[str, set[pl.DataType]] = {}
    for schema in schemas:
        for name, dtype in schema.items():
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

    def as_text(dtype: pl.DataType, name: str) -> pl.Expr:
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            column = column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return column.cast(pl.String)

    return [
        frame.with_columns(as_text(schema[name], name) for name in conflicting if name in schema)
        for frame, schema in zip(frames, schemas, strict=True)
    ]


def describe_files(used: list[Path], index: FileMonthIndex) -> list[dict[str, object]]:
    """Each file read, its size and sha256 (as the month index holds it: hashed once a month)."""
    return [{"path": str(p), "size": p.stat().st_size, "sha256": index.content_hash(p)} for p in used]
