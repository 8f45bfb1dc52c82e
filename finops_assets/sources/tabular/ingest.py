"""Ingest one (source, month) of tabular exports into the landing layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from finops_assets.landing import LandingSlice
from finops_assets.sources.files import FileMonthIndex
from finops_assets.sources.monthly import (
    ANY_DELIVERY,
    Delivery,
    IngestSummary,
    LandedMonth,
    describe_files,
    land_month,
    month_files,
    read_month,
    without_nul,
)
from finops_assets.sources.tabular.normalize import (
    NORMALISED_COLUMNS,
    TabularMonth,
    normalize_tabular,
    tabular_facts,
)
from finops_assets.sources.tabular.reader import TabularFiles, suffixes
from finops_core.config import RowFilters
from finops_core.months import format_month
from finops_core.tabular import TabularMapping


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
    files = month_files(source_path, slice_, suffixes(options.file_format))
    index = FileMonthIndex(slice_.root / slice_.source / reader.index_name())
    raw, used = read_month(files, slice_.month, index, reader, delivery.partitions)
    log(f"read {raw.height} rows for {format_month(slice_.month)} from {len(used)} of {len(files)} files")

    def normalise(frame: pl.DataFrame) -> tuple[TabularMonth, pl.DataFrame, pl.DataFrame]:
        month = normalize_tabular(frame, options.mapping, options.filters)
        return (month, *tabular_facts(month.lines, slice_.source))

    month, facts, products = without_nul(raw, normalise, lambda made: (made[0].rejects, *made[1:]))
    summary = IngestSummary(
        rows_read=raw.height,
        rows_rejected=month.rejects.height,
        files=describe_files(used),
        source_cost=month.source_cost,
        rejected_cost=month.rejected_cost,
        source_quantity=month.source_quantity,
        rejected_quantity=month.rejected_quantity,
        rows_filtered=month.rows_filtered,
        filtered_cost=month.filtered_cost,
        filtered_quantity=month.filtered_quantity,
    )
    if month.rows_filtered:
        log(f"filtered {month.rows_filtered} of {raw.height} rows (the source's filters)")
    landed = LandedMonth(month.lines, month.rejects, facts, products, NORMALISED_COLUMNS)
    land_month(slice_, used, landed, summary, options.cost_column, log, delivery.gate)
    return summary
