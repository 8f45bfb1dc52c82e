"""Ingest one (source, month) of FOCUS files into the landing layer."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl

from finops_assets.landing import LandingSlice
from finops_assets.sources.file_index import FileMonthIndex
from finops_assets.sources.files import SUPPORTED_SUFFIXES
from finops_assets.sources.focus.mapping import FocusOptions
from finops_assets.sources.focus.normalize import (
    NORMALISED_COLUMNS,
    combination_facts,
    line_combinations,
    normalize_focus,
    read_columns,
)
from finops_assets.sources.focus.reader import FocusFiles
from finops_assets.sources.month_landing import (
    Batches,
    MonthKind,
    NormalisedBatch,
    Normaliser,
    Projection,
    ingest_month,
)
from finops_assets.sources.monthly import (
    ANY_DELIVERY,
    Delivery,
    IngestSummary,
    MonthlyReader,
    exact_totals,
    holds_nul,
    month_files,
    without_nul,
)


def _cost_by_currency(frame: pl.DataFrame, options: FocusOptions) -> dict[str, Decimal]:
    """The cost column's exact total per currency, over the rows as the file states them."""
    if frame.height == 0 or options.cost_column not in frame.columns:
        return {}
    currency = (
        pl.col(options.currency_column).cast(pl.String).str.strip_chars().str.to_uppercase()
        if options.currency_column in frame.columns
        else pl.lit(options.default_currency, pl.String)
    )
    return exact_totals(frame.select(currency.alias("key"), pl.col(options.cost_column).alias("value")))


def ingest_focus_month(
    source_path: Path,
    options: FocusOptions,
    slice_: LandingSlice,
    log: Callable[[str], None] = lambda _: None,
    reader_for: Callable[[list[Path]], MonthlyReader] = lambda _: FocusFiles(),
    suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES,
    delivery: Delivery = ANY_DELIVERY,
) -> IngestSummary:
    """`reader_for` gives the reader of the source's files: FOCUS files by default, or a
    provider's files converted to FOCUS columns (it may refuse files of a wrong kind)."""
    files = month_files(source_path, slice_, suffixes)
    index = FileMonthIndex(slice_.root / slice_.source / "_file_index.json")
    reader = reader_for(files)
    # FOCUS files (Parquet and CSV) are read with the columns normalisation needs alone
    projection = Projection(read_columns(options), reader.records) if isinstance(reader, FocusFiles) else None
    kind = MonthKind(
        reader,
        index,
        NORMALISED_COLUMNS,
        options.cost_column,
        lambda combinations: combination_facts(combinations, options),
        projection,
        settings=options,
    )

    def made(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        lines, rejects = normalize_focus(frame, options)
        return lines, rejects, line_combinations(lines, options)

    def for_the_mart(result: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]) -> list[pl.DataFrame]:
        # facts and products hold a NUL only if the combinations they are named from do
        _, rejects, combinations = result
        if holds_nul(combinations):
            return [rejects, *combination_facts(combinations, options)]
        return [rejects]

    def normalise(raw: pl.DataFrame) -> NormalisedBatch:
        lines, rejects, combinations = without_nul(raw, made, for_the_mart)
        source_cost, rejected_cost = _cost_by_currency(raw, options), _cost_by_currency(rejects, options)
        return NormalisedBatch(lines, rejects, combinations, source_cost, rejected_cost)

    def normaliser_for(_: Batches) -> Normaliser:
        return normalise  # every FOCUS check is a line's own

    return ingest_month(files, slice_, kind, normaliser_for, log, delivery)
