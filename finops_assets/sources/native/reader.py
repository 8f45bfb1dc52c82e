"""A provider's files read as FOCUS files: each file is read as the provider wrote it, then
converted to FOCUS columns, so the FOCUS normalisation (months, rejects, applications,
products, facts) runs on it unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import polars as pl

from finops_assets.sources.files import read_csv_text
from finops_assets.sources.focus.reader import MONTH_COLUMN, file_months, month_expr

NATIVE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".json")


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


def read_table(path: Path) -> pl.DataFrame:
    """CSV (every column as text) or Parquet (as typed)."""
    if path.name.lower().endswith(".parquet"):
        return pl.read_parquet(path)
    return read_csv_text(path)


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

    def month_column(self, path: Path) -> pl.DataFrame | None:
        return None  # the month comes from a conversion: the file is read whole

    def months(self, frame: pl.DataFrame, path: Path) -> set[str]:
        return file_months(frame, path)

    def row_month(self, frame: pl.DataFrame, path: Path) -> pl.Expr:
        return month_expr(frame)
