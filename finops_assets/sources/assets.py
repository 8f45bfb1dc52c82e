"""The two assets of one source, whatever its kind: its billing lines (landing layer) and its
consumption (the mart slice), both partitioned by billing month."""

from collections.abc import Callable
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)

from finops_assets.landing import LandingSlice
from finops_assets.mart.load import load_consumption
from finops_assets.partitions import partition_month
from finops_assets.resources import MartResource
from finops_assets.sources.checks import source_checks
from finops_assets.sources.monthly import IngestSummary, exact_texts

LOAD_POOL = "mart_load"
Ingest = Callable[[LandingSlice, Callable[[str], None]], IngestSummary]


def source_assets(
    name: str,
    description: str,
    partitions: PartitionsDefinition,
    ingest: Ingest,
    cost_column: str,
    coverage_threshold: float,
    conserve_quantity: bool = False,
) -> list[AssetsDefinition]:
    """The two assets and their checks (sources/checks.py). `description` says what the lines
    are (e.g. "FOCUS billing lines of `aws` (path)"); `coverage_threshold` is the mapped share of
    cost under which mapping_coverage warns; `conserve_quantity` adds the check that quantities,
    per unit, are conserved exactly too."""
    lines_key = AssetKey([name, "billing_lines"])
    consumption_key = AssetKey([name, "consumption"])

    @asset(
        key=lines_key,
        partitions_def=partitions,
        group_name=name,
        kinds={"polars", "parquet"},
        description=f"{description}, normalised, with rejects, in the landing layer",
    )
    def billing_lines(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        slice_ = LandingSlice(mart.landing_root(), name, partition_month(context.partition_key))
        summary = ingest(slice_, context.log.info)
        metadata: dict[str, Any] = {
            "rows_read": summary.rows_read,
            "rows_rejected": summary.rows_rejected,
            "files": MetadataValue.json(summary.files),
            "source_cost": MetadataValue.json(exact_texts(summary.source_cost)),
            "landing": MetadataValue.path(str(slice_.folder)),
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
            result = load_consumption(conn, slice_, cost_column)
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
                "fact_rows": result.fact_rows,
            }
        )

    return [
        billing_lines,
        consumption,
        *source_checks(name, partitions, coverage_threshold, conserve_quantity),
    ]
