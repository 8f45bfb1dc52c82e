"""Ingest one (source, month) of tabular exports into the landing layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from finops_assets.landing import FACT_KEYS, LandingSlice
from finops_assets.sources.file_index import FileMonthIndex
from finops_assets.sources.month_landing import Batches, MonthKind, NormalisedBatch, Normaliser, ingest_month
from finops_assets.sources.monthly import ANY_DELIVERY, Delivery, IngestSummary, month_files, without_nul
from finops_assets.sources.tabular.filters import check_filter_columns
from finops_assets.sources.tabular.normalize import (
    NORMALISED_COLUMNS,
    TabularMonth,
    line_facts,
    normalize_tabular,
    tabular_products,
    unit_pairs,
)
from finops_assets.sources.tabular.reader import TabularFiles, suffixes
from finops_core.config import RowFilters
from finops_core.tabular import FieldSpec, TabularMapping


@dataclass(frozen=True)
class TabularOptions:
    mapping: TabularMapping
    file_format: str | None = None
    """csv, jsonl or parquet; None: from each file's extension."""
    filters: RowFilters | None = None
    """The records to keep or drop before mapping; None: every record is the source's."""

    @property
    def cost_column(self) -> str:
        """What the load audit records as the cost column."""
        cost = self.mapping.cost
        if cost is None:
            return "(none: quantities only)"
        return cost.column if cost.column is not None else "(constant)"


def ingest_tabular_month(
    source_path: Path,
    options: TabularOptions,
    slice_: LandingSlice,
    log: Callable[[str], None] = lambda _: None,
    delivery: Delivery = ANY_DELIVERY,
) -> IngestSummary:
    reader = TabularFiles(options.mapping.month, options.file_format)
    files = month_files(source_path, slice_, suffixes(options.file_format), export_runs=False)
    index = FileMonthIndex(slice_.root / slice_.source / reader.index_name())
    kind = MonthKind(
        reader,
        index,
        NORMALISED_COLUMNS,
        options.cost_column,
        lambda facts: (facts.sort(FACT_KEYS), tabular_products(facts, slice_.source)),
        settings=options,
    )
    mapping, filters = options.mapping, options.filters

    def normaliser_for(batches: Batches) -> Normaliser:
        units = month_units(batches, mapping, filters)

        def normalise(raw: pl.DataFrame) -> NormalisedBatch:
            def made(frame: pl.DataFrame) -> tuple[TabularMonth, pl.DataFrame]:
                month = normalize_tabular(frame, mapping, filters, units)
                return month, line_facts(month.lines)

            # products are named by their codes, which the facts hold
            month, facts = without_nul(raw, made, lambda result: (result[0].rejects, result[1]))
            return NormalisedBatch(
                month.lines,
                month.rejects,
                facts,
                month.source_cost,
                month.rejected_cost,
                month.source_quantity,
                month.rejected_quantity,
                month.rows_filtered,
                month.filtered_cost,
                month.filtered_quantity,
            )

        return normalise

    return ingest_month(files, slice_, kind, normaliser_for, log, delivery)


def month_units(batches: Batches, mapping: TabularMapping, filters: RowFilters | None) -> pl.DataFrame | None:
    """The month's `unit_pairs`, for its batches: a product's units are judged over the month,
    and the filters' columns against every file of the month (an unknown one fails before
    anything lands), so the batches are read once for them first, when there is either."""
    if filters is None and not isinstance(mapping.unit, FieldSpec):
        return None
    pairs: list[pl.DataFrame] = []
    columns: set[str] = set()
    rows = 0
    for raw in batches():
        rows += raw.height
        columns.update(raw.columns)
        if (found := unit_pairs(raw, mapping, filters)) is not None:
            pairs.append(found)
    if filters is not None and rows:
        check_filter_columns(filters, columns)
    return pl.concat(pairs).unique() if pairs else None
