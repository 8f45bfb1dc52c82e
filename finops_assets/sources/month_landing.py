"""Landing a month batch by batch: each batch of records is normalised and its lines and
rejects appended to the staging folder's Parquet files as it comes, its lines aggregated by
the kind's keys and the aggregate spilled beside them (merged exactly at the end: sums of exact
decimals and line counts add up), its totals and reject reasons counted; then products are
named once, and the gate, the manifest and the swap of the whole folder run as before.

Memory holds one batch (and the next one, read ahead), the reject reasons' counts and, while
they merge, MERGED_PARTS + 1 batches' aggregates, whatever the rows of the month
(finops_assets/sources/batches.py). Naming products a batch at a time cost 1.5 s a batch;
merging the aggregates after every batch 1.6 s a batch.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
from polars.io.plugins import register_io_source

from finops_assets.landing import SOURCE_FILES, LandingSlice, publish, source_files_kept, staging_folder
from finops_assets.sources.batches import batch_rows, month_batches, month_plan, read_ahead
from finops_assets.sources.file_index import FileMonthIndex
from finops_assets.sources.files import READ_PROBLEM
from finops_assets.sources.landed_parquet import LANDED_COMPRESSION, ParquetParts
from finops_assets.sources.manifest import month_manifest, normalisation_fingerprint, unchanged_landing
from finops_assets.sources.monthly import (
    Delivery,
    IngestSummary,
    MonthlyReader,
    describe_files,
    harmonise,
)
from finops_core.decimals import exact_sum
from finops_core.months import format_month


@dataclass(frozen=True)
class NormalisedBatch:
    """What normalisation made of one batch of records."""

    lines: pl.DataFrame
    rejects: pl.DataFrame
    partial: pl.DataFrame
    """The lines aggregated by the kind's keys, MEASURES summed: merged over the batches by
    `merge_partials`, then made the month's facts and products by the kind's `finish`."""
    source_cost: dict[str, Decimal]
    rejected_cost: dict[str, Decimal]
    source_quantity: dict[str, Decimal] | None = None
    rejected_quantity: dict[str, Decimal] | None = None
    rows_filtered: int = 0
    """Records the source's row filters dropped (tabular): neither lines nor rejects."""
    filtered_cost: dict[str, Decimal] = field(default_factory=dict)
    filtered_quantity: dict[str, Decimal] | None = None


@dataclass(frozen=True)
class Projection:
    """The columns normalisation reads, for a kind whose reader reads columns alone (FOCUS
    Parquet and CSV): when the lines point into copied source files (layout `source_files`)
    only those are read, and the rejected records, which keep every column, are read again
    whole (`records`: a file's records at some line numbers). Reading 13 of FOCUS's 45 columns
    takes a fifth of the time and memory (Parquet), a third of the time (CSV)."""

    columns: frozenset[str]
    records: Callable[[Path, pl.Series], pl.DataFrame]


@dataclass(frozen=True)
class MonthKind:
    """What a source kind brings to the shared month ingest."""

    reader: MonthlyReader
    index: FileMonthIndex
    normalised_columns: Sequence[str]
    """The columns normalisation adds to the lines (kept when lines point into source files)."""
    cost_column: str
    finish: Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]]
    """(facts, products) of the month's merged partial aggregate."""
    projection: Projection | None = None
    settings: object = None
    """The source's settings that shape its landing (sources/manifest.py: an unchanged delivery
    keeps its landing); None: the month always lands again."""


Batches = Callable[[], Iterator[pl.DataFrame]]
Normaliser = Callable[[pl.DataFrame], NormalisedBatch]


def add_totals(into: dict[str, Decimal], more: dict[str, Decimal]) -> None:
    for key, value in more.items():
        into[key] = exact_sum(into.get(key, Decimal(0)), value)


MERGED_PARTS = 4
"""Partial aggregates kept before they are merged into one (4 batches: a 1M-line month never
merges before its end). A merge of 5 parts of up to 150,000 rows adds about 100-200 MiB while it
runs; with 8, a 10M-line month peaked 90 MiB higher; 40 at once held 1.1 GB."""
MEASURES = ("quantity", "cost", "source_cost", "line_count")
"""The columns of a partial aggregate that are summed; every other one is a key."""


def merge_partials(parts: list[Path]) -> pl.DataFrame:
    """The partial aggregates of every batch (Parquet files) as one: the same keys, their
    measures added (exact: sums of Decimal(38, 18) and of line counts are associative), in
    one streaming group-by that holds the month's keys, not the batches'. Merging them batch
    after batch in memory cost 1 s a batch at 5M lines (a batch of 250,000 FOCUS lines has up
    to 120,000 combinations, the month 166,000)."""
    merged = pl.concat([pl.scan_parquet(part) for part in parts], how="diagonal_relaxed")
    columns = merged.collect_schema().names()
    keys = [c for c in columns if c not in MEASURES]
    grouped = merged.group_by(keys).agg(pl.col(c).sum() for c in columns if c in MEASURES)
    return grouped.collect(engine="streaming")


KEPT_SUFFIXES = (".parquet", ".csv", ".csv.gz", ".csv.zip")
"""The files a landing keeps as they are (layout `source_files`), its lines pointing into them."""


def source_file_names(used: list[Path]) -> dict[str, str] | None:
    """When every file read is Parquet or CSV, the files themselves are kept (copied or linked
    after the gate) in source_files/ and lines.parquet holds the normalised columns with `_file`
    and `_line` pointing into them (layout `source_files`): returns where each file goes. Else
    (layout `full`: JSON lines) lines.parquet holds every source column plus the normalised
    ones, and this returns None. Re-encoding the 45 source columns took a third of a Parquet
    month's time and, with parsing them all, most of a CSV month's; a copy is faster and better
    lineage (the provider's own bytes)."""
    if not used or not all(p.name.lower().endswith(KEPT_SUFFIXES) for p in used):
        return None
    return {str(path): f"{SOURCE_FILES}/{number:03d}_{path.name}" for number, path in enumerate(used)}


@dataclass
class _Month:
    """The month so far: counts and totals added batch after batch, the batches' partial
    aggregates written beside the staging folder's files until the end."""

    spill: Path
    written: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    rows_filtered: int = 0
    partials: list[Path] | None = None
    reasons: Counter[str] | None = None
    source_cost: dict[str, Decimal] | None = None
    rejected_cost: dict[str, Decimal] | None = None
    source_quantity: dict[str, Decimal] | None = None
    rejected_quantity: dict[str, Decimal] | None = None
    filtered_cost: dict[str, Decimal] | None = None
    filtered_quantity: dict[str, Decimal] | None = None

    def add(self, made: NormalisedBatch) -> None:
        self.partials = self.partials or []
        self.written += 1
        part = self.spill / f".partial-{self.written:05d}.parquet"
        made.partial.write_parquet(part, compression="lz4")
        self.partials.append(part)
        self.rows_rejected += made.rejects.height
        self.rows_filtered += made.rows_filtered
        self.reasons = self.reasons or Counter()
        if made.rejects.height:
            self.reasons.update(dict(made.rejects["reason"].value_counts().iter_rows()))
        for share in ("source", "rejected", "filtered"):
            for name in (f"{share}_cost", f"{share}_quantity"):  # per currency, per unit
                more = getattr(made, name)
                if more is not None:
                    setattr(self, name, getattr(self, name) or {})
                    add_totals(getattr(self, name), more)

    def compact(self) -> None:
        """The spilled partial aggregates merged into one when there are more than MERGED_PARTS
        (a streaming group-by's memory grows with its input). Called once a batch's lines are
        in the sink and the batch is let go: merging while it was held made the peak (10M
        lines: 1,001-1,062 MiB against 833-836 MiB, benchmarks/RESULTS.md)."""
        if self.partials is None or len(self.partials) <= MERGED_PARTS:
            return
        merged = self.spill / f".partial-{self.written:05d}-merged.parquet"
        merge_partials(self.partials).write_parquet(merged, compression="lz4")
        for spilled in self.partials:
            spilled.unlink()
        self.partials = [merged]


def with_whole_rejects(
    raw: pl.DataFrame, made: NormalisedBatch, normalise: Normaliser, projection: Projection
) -> NormalisedBatch:
    """`made` from a batch read with the projection's columns alone, its rejects read again
    with every column and normalised again: rejected again for the same reasons (a NUL
    character in a column the projection left out first, as a whole batch would say)."""
    lines = made.rejects["_line"]
    rejected = pl.col("_line").is_in(lines.implode())
    placed = raw.select("_line", READ_PROBLEM, "_file", "_month").filter(rejected)
    records = projection.records(Path(placed["_file"][0]), lines)
    again = normalise(records.join(placed, on="_line", how="left", maintain_order="left"))
    if again.lines.height or again.rejects.height != made.rejects.height:
        raise RuntimeError(f"{placed['_file'][0]}: rejected records read whole are not rejected alike")
    return dataclasses.replace(
        made,
        rejects=again.rejects,
        rejected_cost=again.rejected_cost,
        rejected_quantity=again.rejected_quantity,
    )


class LinesTypedOtherwise(Exception):
    """A batch's lines are typed otherwise than the first batch's (files of one month typing a
    column differently): they cannot be streamed into one file as they come."""


def _sink(
    first: pl.DataFrame, rest: Iterator[pl.DataFrame], target: Path, row_group_size: int | None
) -> None:
    """The lines of every batch streamed by polars into one Parquet file, as they are made (as
    fast as writing them whole; pyarrow's writer took three times as long)."""
    failure: list[BaseException] = []

    def source(*_: object) -> Iterator[pl.DataFrame]:
        try:
            yield first
            for lines in rest:
                if lines.schema != first.schema:
                    raise LinesTypedOtherwise
                yield lines
        except BaseException as error:  # raised here, in the caller, not inside polars
            failure.append(error)

    lazy = register_io_source(source, schema=first.schema)
    lazy.sink_parquet(target, compression=LANDED_COMPRESSION, row_group_size=row_group_size)
    if failure:
        raise failure[0]


def _land_batches(
    batches: Iterator[pl.DataFrame],
    normalise: Normaliser,
    staging: Path,
    landed: dict[str, str] | None,
    normalised_columns: Sequence[str],
    streamed: bool,
    projection: Projection | None,
) -> _Month:
    """Normalise and land every batch: lines streamed into lines.parquet (or, when `streamed`
    is False, written in parts merged with their types harmonised), rejects appended."""
    rejects = ParquetParts(staging / "rejects.parquet")
    month = _Month(staging)
    schemas: list[pl.Schema] = []

    def made_lines() -> Iterator[pl.DataFrame]:
        for raw in batches:
            if raw.schema not in schemas:
                schemas.append(raw.schema)
            made = normalise(raw)
            if projection is not None and made.rejects.height:
                made = with_whole_rejects(raw, made, normalise, projection)
            month.rows_read += raw.height
            month.add(made)
            rejects.write(made.rejects)
            if landed is None:
                lines = made.lines
            else:
                file = pl.col("_file").replace_strict(landed, return_dtype=pl.String)
                lines = made.lines.select(file, "_line", *normalised_columns)
            del raw, made  # not held while the partial aggregates merge
            yield lines
            del lines
            month.compact()

    row_group_size = 100_000  # bounds what the sink holds before it writes
    lines = made_lines()
    if streamed:
        _sink(next(lines), lines, staging / "lines.parquet", row_group_size)
    else:
        parts = ParquetParts(staging / "lines.parquet", row_group_size)
        for batch in lines:
            parts.write(batch)
        parts.close()
    # files typing a nested column differently cannot be landed side by side: say so
    harmonise([pl.DataFrame(schema=schema) for schema in schemas])
    rejects.close()
    return month


def ingest_month(
    files: list[Path],
    slice_: LandingSlice,
    kind: MonthKind,
    normaliser_for: Callable[[Batches], Normaliser],
    log: Callable[[str], None],
    delivery: Delivery,
) -> IngestSummary:
    """Read, normalise and land the month a batch at a time, then pass the gate and swap the
    staging folder in whole. `normaliser_for` is given the month's batches (a kind whose checks
    span the month reads them once first) and returns how to normalise one batch."""
    plan = month_plan(files, slice_.month, kind.index, kind.reader, delivery.partitions)
    used = [file.path for file in plan]
    described = describe_files(used, kind.index)
    what = f"{format_month(slice_.month)} from {len(used)} of {len(files)} files"
    fingerprint = None
    if kind.settings is not None:
        reader = type(kind.reader).__qualname__
        fingerprint = normalisation_fingerprint(kind.settings, reader, delivery.partitions)
        if (kept := unchanged_landing(slice_, described, fingerprint, delivery, log, what)) is not None:
            return kept
    size = batch_rows()
    staging = staging_folder(slice_)
    try:
        landed = source_file_names(used)
        projection = kind.projection if landed is not None else None
        columns = projection.columns if projection is not None else None

        def batches() -> Iterator[pl.DataFrame]:
            return read_ahead(
                month_batches(plan, slice_.month, kind.reader, delivery.partitions, size, columns)
            )

        normalise = normaliser_for(batches)
        land = (normalise, staging, landed, kind.normalised_columns)
        with source_files_kept(used, landed, staging):
            try:
                month = _land_batches(batches(), *land, streamed=True, projection=projection)
            except LinesTypedOtherwise:
                for part in staging.glob(".*.parquet"):
                    part.unlink()
                month = _land_batches(batches(), *land, streamed=False, projection=projection)
        log(f"read {month.rows_read} rows for {what}")
        if month.rows_filtered:
            log(f"filtered {month.rows_filtered} of {month.rows_read} rows (the source's filters)")
        summary = IngestSummary(
            rows_read=month.rows_read,
            rows_rejected=month.rows_rejected,
            files=described,
            source_cost=month.source_cost or {},
            rejected_cost=month.rejected_cost or {},
            source_quantity=month.source_quantity,
            rejected_quantity=month.rejected_quantity,
            rows_filtered=month.rows_filtered,
            filtered_cost=month.filtered_cost or {},
            filtered_quantity=month.filtered_quantity,
        )
        if delivery.gate is not None:
            delivery.gate(summary, month.reasons or Counter())
        facts, products = kind.finish(merge_partials(month.partials or []))
        for part in month.partials or []:
            part.unlink()
        facts.write_parquet(staging / "facts.parquet")
        products.write_parquet(staging / "products.parquet")
        layout = "full" if landed is None else SOURCE_FILES
        manifest = month_manifest(slice_, staging, facts, summary, kind.cost_column, layout, fingerprint)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        publish(slice_, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing of a failed or held delivery stays
        raise
    log(f"landed {summary.rows_loaded} lines and {summary.rows_rejected} rejects in {slice_.folder}")
    return summary
