"""A provider's files read as FOCUS files: each file is read as the provider wrote it, then
converted to FOCUS columns, so the FOCUS normalisation (months, rejects, applications,
products, facts) runs on it unchanged."""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, Protocol

import polars as pl

from finops_assets.sources.files import (
    SourceFilesError,
    frame_batches,
    open_binary,
    read_csv_text,
)
from finops_assets.sources.focus.reader import MONTH_COLUMN, file_months, month_expr
from finops_core.errors import first_line

JSON_SUFFIXES = tuple(f"{name}{gz}" for name in (".json", ".jsonl", ".ndjson") for gz in ("", ".gz"))
"""JSON lines (a Google Cloud billing export) or an OpenCost /allocation response."""
NATIVE_SUFFIXES = (".csv", ".csv.gz", ".csv.zip", ".parquet", *JSON_SUFFIXES)


class Converter(Protocol):
    """One provider format: how its files are read and turned into FOCUS columns."""

    def read(self, path: Path) -> pl.DataFrame:
        """The file's records, every provider column as written (CSV: as text)."""

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        """FOCUS columns (BillingPeriodStart as an ISO date, BillingCurrency, BilledCost,
        EffectiveCost, PricingQuantity, PricingUnit, ConsumedQuantity, ConsumedUnit,
        ChargeCategory, ProviderName, ServiceName, ServiceCategory, SubAccountId, RegionId,
        ResourceId, Tags as a JSON object), every provider column as `x_<name>`, `_line`, and
        `_problem`: why the line cannot be loaded, naming the provider's column."""


def is_json(path: Path) -> bool:
    return path.name.lower().endswith(JSON_SUFFIXES)


def read_table(path: Path) -> pl.DataFrame:
    """CSV (every column as text), Parquet or JSON lines (as typed: JSON numbers are floats, read
    through their shortest text form as Parquet's are: sources/decimals.py)."""
    if path.name.lower().endswith(".parquet"):
        return pl.read_parquet(path)
    if is_json(path):
        return read_json_lines(path)
    return read_csv_text(path)


def read_json_lines(path: Path) -> pl.DataFrame:
    """One JSON object a line, nested records as structs and lists; the types are inferred from
    every line (a field null or empty in the first thousand is typed by the later ones)."""
    if not path.stat().st_size:
        return pl.DataFrame()
    with open_binary(path) as binary:
        bom = binary.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        # polars refuses a BOM, which Windows tools write: the text after it is read instead
        source: Path | bytes = binary.read() if bom else path
    try:
        return pl.read_ndjson(source, infer_schema_length=None)
    except pl.exceptions.PolarsError as error:  # the line at fault, not polars' buffer offset
        raise SourceFilesError(f"{path}: {first_bad_line(path) or first_line(error)}") from None


def not_a_json_number(text: str) -> float:
    """json's parse_constant: NaN and Infinity, which Python's json reads, are no JSON number."""
    raise ValueError(f"{text} is not a JSON number")


def _finite(text: str) -> float:
    """json's parse_float for finding the line polars refuses: whether a double holds it."""
    if math.isinf(value := float(text)):  # float ok: the value is dropped, only its range is asked
        raise ValueError(f"{text} is beyond any floating-point number")
    return value


def first_bad_line(path: Path) -> str | None:
    """Which line is not UTF-8, not JSON (NaN, Infinity and numbers beyond a double included: the
    reader refuses them) or not a JSON object, and why (polars says only where in its buffer)."""
    with open_binary(path) as binary:
        for number, raw in enumerate(binary, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as problem:
                return f"line {number}: not UTF-8 text ({problem.reason} at byte {problem.start} of the line)"
            if not line.strip():
                continue
            try:
                text = line.rstrip("\r\n")
                record = json.loads(text, parse_constant=not_a_json_number, parse_float=_finite)
            except json.JSONDecodeError as error:
                return f"line {number}, column {error.colno}: not JSON: {error.msg}"
            except ValueError as error:
                return f"line {number}: not JSON: {error}"
            if not isinstance(record, dict):
                return f"line {number} is not a JSON object, one billing record"
    return None


class NativeFiles:
    """The reader of one provider format for the shared month reading."""

    empty_columns: tuple[str, ...] = (MONTH_COLUMN,)
    month_label = MONTH_COLUMN

    def __init__(self, converter: Converter, quantity: Literal["pricing", "consumed"]) -> None:
        self.converter = converter
        self.quantity = quantity

    def read(self, path: Path) -> pl.DataFrame:
        frame = self.converter.convert(self.converter.read(path).with_row_index("_line", offset=1))
        if self.quantity == "consumed":
            # the line's quantity is what was consumed, in its own unit (Cost = Quantity x Unit
            # Price still holds, at the price per consumed unit)
            frame = frame.with_columns(
                pl.col("ConsumedQuantity").alias("PricingQuantity"),
                pl.col("ConsumedUnit").alias("PricingUnit"),
            )
        return frame

    def batches(self, path: Path, size: int, columns: frozenset[str] | None = None) -> Iterator[pl.DataFrame]:
        # a conversion may look at the whole file (an OpenCost JSON document, the commitments
        # of a CUR): it is read and converted whole, then normalised in batches
        return frame_batches(self.read(path), size)

    def month_column(self, path: Path) -> pl.DataFrame | None:
        return None  # the month comes from a conversion: the file is read whole

    def months(self, frame: pl.DataFrame, path: Path) -> set[str]:
        return file_months(frame, path)

    def row_month(self, frame: pl.DataFrame, path: Path) -> pl.Expr:
        return month_expr(frame)
