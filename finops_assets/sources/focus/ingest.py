"""Ingest one (source, month) of FOCUS files into the landing layer."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl

from finops_assets.landing import LandingSlice
from finops_assets.sources.files import SUPPORTED_SUFFIXES, FileMonthIndex
from finops_assets.sources.focus.mapping import FocusOptions
from finops_assets.sources.focus.normalize import NORMALISED_COLUMNS, consumption_facts, normalize_focus
from finops_assets.sources.focus.reader import FocusFiles
from finops_assets.sources.monthly import (
    ANY_DELIVERY,
    Delivery,
    IngestSummary,
    LandedMonth,
    MonthlyReader,
    describe_files,
    exact_totals,
    land_month,
    month_files,
    read_month,
    without_nul,
)
from finops_core.months import format_month


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
    reader = reader_for(files)
    index = FileMonthIndex(slice_.root / slice_.source / "_file_index.json")
    raw, used = read_month(files, slice_.month, index, reader, delivery.partitions)
    log(f"read {raw.height} rows for {format_month(slice_.month)} from {len(used)} of {len(files)} files")

    def normalise(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        lines, rejects = normalize_focus(frame, options)
        return (lines, rejects, *consumption_facts(lines, options))

    lines, rejects, facts, products = without_nul(raw, normalise, lambda made: made[1:])
    summary = IngestSummary(
        rows_read=raw.height,
        rows_rejected=rejects.height,
        files=describe_files(used),
        source_cost=_cost_by_currency(raw, options),
        rejected_cost=_cost_by_currency(rejects, options),
    )
    landed = LandedMonth(lines, rejects, facts, products, NORMALISED_COLUMNS)
    land_month(slice_, used, landed, summary, options.cost_column, log, delivery.gate)
    return summary
