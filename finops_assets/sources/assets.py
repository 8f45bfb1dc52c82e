"""The two assets of one source, whatever its kind: its billing lines (landing layer) and its
consumption (the mart slice), both partitioned by billing month."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)
from pydantic import Field

from finops_assets.faults import step_committed
from finops_assets.landing import LandingSlice
from finops_assets.mart.load import load_consumption
from finops_assets.partitions import partition_month
from finops_assets.resources import MartResource
from finops_assets.sources.checks import source_checks
from finops_assets.sources.delivery import DeliveryGate, audited_attempt, landing_lock
from finops_assets.sources.export_runs import Superseded
from finops_assets.sources.files import SourceFilesError, left_out_files, superseded_runs
from finops_assets.sources.listing import one_listing
from finops_assets.sources.monthly import Delivery, IngestSummary, Partitions, exact_texts, outside_landing
from finops_core.deliveries import DEFAULT_RULES, DeliveryRules
from finops_core.settings import Settings

LOAD_POOL = "mart_load"
"""The consumption loads of every source and month: they queue on the mart (each also takes an
advisory lock per source and month, so the pool is about the database's load, not correctness)."""


def source_pool(name: str) -> str:
    """The pool of a source's billing lines: the runs of different months read the same export
    folder and rewrite the same file-month index (sources/files.py), so how many ingest one
    source at once is that source's limit (dagster.yaml's `concurrency: pools: default_limit`,
    or `dagster instance concurrency set source/<name> <limit>`)."""
    return f"source/{name}"


Ingest = Callable[[LandingSlice, Callable[[str], None], Delivery], IngestSummary]
SHOWN_LEFT_OUT = 5
"""The files of another type named in the warning; the others are counted."""


def _left_out(reads: tuple[Path, tuple[str, ...]], slice_: LandingSlice) -> str:
    """A warning for the files of the source's path that it does not read (a bill sent as .xlsx
    was left out without a word), the landing's own files aside; empty when there are none."""
    path, suffixes = reads
    files = outside_landing(left_out_files(path, suffixes), slice_)
    if not files:
        return ""
    named = ", ".join(_shown(f, path) for f in files[:SHOWN_LEFT_OUT])
    more = f" and {len(files) - SHOWN_LEFT_OUT} more" if len(files) > SHOWN_LEFT_OUT else ""
    return (
        f"{len(files)} file(s) of {path} left out, of a type this source does not read "
        f"(it reads {', '.join(suffixes)}): {named}{more}"
    )


def _shown(path: Path, root: Path) -> str:
    """A path as a log line names it: below the source's path when it is."""
    return str(path.relative_to(root) if path.is_relative_to(root) else path)


def export_runs_line(reads: tuple[Path, tuple[str, ...]], month: date) -> tuple[str, bool]:
    """A line for the export runs of the month's periods left out for a later run, and whether
    the operator is needed (a run incomplete, or a period of which none is read: a warning
    then); empty when there are none, or when the path cannot be listed (the ingest says so).
    Other months' periods are their own runs' to tell: a backfill would repeat them in each."""
    path, suffixes = reads
    try:
        superseded = [entry for entry in superseded_runs(path, suffixes) if entry.covers(month)]
    except SourceFilesError:
        return "", False
    if not superseded:
        return "", False
    shown = [_period_line(entry, path) for entry in superseded[:SHOWN_LEFT_OUT]]
    more = len(superseded) - SHOWN_LEFT_OUT
    return (
        "export runs written side by side, each holding its whole billing period, of which the latest "
        f"complete one is read: {' | '.join(shown)}" + (f"; and {more} more period(s)" if more > 0 else ""),
        any(entry.warns for entry in superseded),
    )


def _period_line(entry: Superseded, root: Path) -> str:
    read = f"read {entry.kept.name} ({entry.why})" if entry.kept else f"read none ({entry.why})"
    details = [read] + (
        ["left out " + ", ".join(run.name for run in entry.left_out)] if entry.left_out else []
    )
    for run, missing in entry.incomplete:
        more = f" and {len(missing) - SHOWN_LEFT_OUT} more" if len(missing) > SHOWN_LEFT_OUT else ""
        details.append(
            f"{run.name} incomplete, without {', '.join(missing[:SHOWN_LEFT_OUT])}{more} (a copy under way?)"
        )
    return f"{_shown(entry.period, root)}: {'; '.join(details)}"


class DeliveryConfig(Config):
    """The run config of a source's billing_lines (the Launchpad's `ops` section)."""

    accept_held: bool = Field(
        default=False,
        description="Replace the month with a delivery that validation holds (empty, a mandatory "
        "column missing, too many rejects, a total far from the loaded one): a deliberate "
        "replacement, as `finops materialize --accept-held`.",
    )
    reland: bool = Field(
        default=False,
        description="Read and land the month's files again even when they and the source's "
        "settings did not change (by default their landing is kept as it is), as "
        "`finops materialize --reland` or FINOPS_RELAND=1 (which also rebuild the mart's month whole).",
    )


def partition_span(partitions: PartitionsDefinition) -> Partitions:
    """The first and last month partitions as of now (the last moves with the calendar when
    no end_month is set)."""
    first, last = partitions.get_first_partition_key(), partitions.get_last_partition_key()
    return (date.fromisoformat(first) if first else None, date.fromisoformat(last) if last else None)


def source_assets(
    name: str,
    description: str,
    partitions: PartitionsDefinition,
    ingest: Ingest,
    cost_column: str,
    coverage_threshold: float,
    reads: tuple[Path, tuple[str, ...]],
    conserve_quantity: bool = False,
    rules: DeliveryRules = DEFAULT_RULES,
    export_runs: bool = True,
) -> list[AssetsDefinition]:
    """The two assets and their checks (sources/checks.py). `description` says what the lines
    are (e.g. "FOCUS billing lines of `aws` (path)"); `coverage_threshold` is the mapped share of
    cost under which mapping_coverage warns; `reads`: the source's path and the file types it
    reads there (a file of another type is said, not read); `conserve_quantity` adds the check
    that quantities, per unit, are conserved exactly too; `export_runs`: the source reads the
    latest of an export's runs (source_files), and says which."""
    lines_key = AssetKey([name, "billing_lines"])
    consumption_key = AssetKey([name, "consumption"])

    @asset(
        key=lines_key,
        partitions_def=partitions,
        group_name=name,
        kinds={"polars", "parquet"},
        pool=source_pool(name),
        description=f"{description}, normalised, with rejects, in the landing layer",
    )
    def billing_lines(
        context: AssetExecutionContext, config: DeliveryConfig, mart: MartResource
    ) -> MaterializeResult:
        month = partition_month(context.partition_key)
        slice_ = LandingSlice(mart.landing_root(), name, month)
        with one_listing(), mart.connection() as conn:
            if left_out := _left_out(reads, slice_):
                context.log.warning(left_out)
            runs, warns = export_runs_line(reads, month) if export_runs else ("", False)
            if runs:
                (context.log.warning if warns else context.log.info)(runs)
            gate = DeliveryGate(conn, name, month, rules, config.accept_held, context.log.info)
            with (
                landing_lock(conn, name, month, context.log.info),
                audited_attempt(conn, name, month, cost_column, context.run_id),
            ):
                reland = config.reland or Settings.from_env().reland
                delivery = Delivery(partition_span(partitions), gate, reland)
                summary = ingest(slice_, context.log.info, delivery)
        step_committed(lines_key)
        metadata: dict[str, Any] = {
            "rows_read": summary.rows_read,
            "rows_rejected": summary.rows_rejected,
            "rows_filtered": summary.rows_filtered,
            "files": MetadataValue.json(summary.files),
            "source_cost": MetadataValue.json(exact_texts(summary.source_cost)),
            "rejected_cost": MetadataValue.json(exact_texts(summary.rejected_cost)),
            "landing": MetadataValue.path(str(slice_.folder)),
            "landing_reused": summary.reused,
        }
        if conserve_quantity:
            metadata["source_quantity"] = MetadataValue.json(exact_texts(summary.source_quantity or {}))
        return MaterializeResult(metadata=metadata)

    @asset(
        key=consumption_key,
        deps=[lines_key],
        partitions_def=partitions,
        group_name=name,
        kinds={"postgres"},
        pool=LOAD_POOL,
        description=f"Consumption of `{name}` in the mart: the (source, month) slice of "
        "fact_consumption, replaced whole in one transaction",
    )
    def consumption(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        slice_ = LandingSlice(mart.landing_root(), name, partition_month(context.partition_key))
        with mart.connection() as conn:
            result = load_consumption(conn, slice_, cost_column, context.run_id)
        step_committed(consumption_key)
        context.log.info(
            f"loaded {result.rows_loaded} lines as {result.fact_rows} fact rows, "
            f"{result.rows_rejected} rejected (load {result.load_id})"
        )
        return MaterializeResult(
            metadata={
                "load_id": result.load_id,
                "rows_read": result.rows_read,
                "rows_loaded": result.rows_loaded,
                "rows_rejected": result.rows_rejected,
                "rows_filtered": result.rows_filtered,
                "fact_rows": result.fact_rows,
            }
        )

    return [
        billing_lines,
        consumption,
        *source_checks(name, partitions, coverage_threshold, conserve_quantity, rules.max_rejected_share),
    ]
