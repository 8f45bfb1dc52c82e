"""Ingest one (source, month) of tabular exports into the landing layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from finops_assets.landing import FACT_KEYS, LandingSlice
from finops_assets.sources.files import FileMonthIndex
from finops_assets.sources.month_landing import Batches, MonthKind, NormalisedBatch, Normaliser, ingest_month
from finops_assets.sources.monthly import ANY_DELIVERY, Delivery, IngestSummary, month_files, without_nul
from finops_assets.sources.tabular.normalize import (
    NORMALISED_COLUMNS,
    TabularMonth,
    line_facts,
    normalize_tabular,
    tabular_products,
    unit_pairs,
)
from finops_assets.sources.tabular.reader import TabularFiles, suffixes
from finops_core.tabular import TabularMapping


@dataclass(frozen=True)
class TabularOptions:
    mapping: TabularMapping
    file_format: str | None = None
    """csv, jsonl or parquet; None: from each file's extension."""

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
    files = month_files(source_path, slice_, suffixes(options.file_format))
    index = FileMonthIndex(slice_.root / slice_.source / reader.index_name())
    kind = MonthKind(
        reader,
        index,
        NORMALISED_COLUMNS,
        options.cost_column,
        lambda facts: (facts.sort(FACT_KEYS), tabular_products(facts, slice_.source)),
    )
    mapping = options.mapping

    def normaliser_for(batches: Batches) -> Normaliser:
        # a product's units are judged over the month: its batches are read once for them first
        pairs = [p for raw in batches() if (p := unit_pairs(raw, mapping)) is not None]
        units = pl.concat(pairs).unique() if pairs else None

        def normalise(raw: pl.DataFrame) -> NormalisedBatch:
            def made(frame: pl.DataFrame) -> tuple[TabularMonth, pl.DataFrame]:
                month = normalize_tabular(frame, mapping, units)
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
            )

        return normalise

    return ingest_month(files, slice_, kind, normaliser_for, log, delivery)
