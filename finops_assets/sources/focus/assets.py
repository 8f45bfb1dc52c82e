"""The assets of one FOCUS source: its billing lines (landing layer) and its consumption
(the mart slice), both partitioned by billing month."""

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)

from finops_assets.landing import LandingSlice
from finops_assets.mart.checks import conservation, mapping_coverage, nothing_lost
from finops_assets.mart.load import load_consumption
from finops_assets.partitions import partition_month
from finops_assets.resources import MartResource
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import focus_options
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.decimals import exact_text

LOAD_POOL = "mart_load"


def focus_source_assets(
    source: SourceConfig, config: PlatformConfig, partitions: PartitionsDefinition
) -> list[AssetsDefinition]:
    options = focus_options(source, config)
    path = config.source_path(source)
    lines_key = AssetKey([source.name, "billing_lines"])
    consumption_key = AssetKey([source.name, "consumption"])

    @asset(
        key=lines_key,
        partitions_def=partitions,
        group_name=source.name,
        kinds={"polars", "parquet"},
        description=f"FOCUS billing lines of `{source.name}` ({path}), normalised, with rejects, "
        "in the landing layer",
    )
    def billing_lines(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        slice_ = LandingSlice(mart.landing_root(), source.name, partition_month(context.partition_key))
        summary = ingest_focus_month(path, options, slice_, context.log.info)
        return MaterializeResult(
            metadata={
                "rows_read": summary.rows_read,
                "rows_rejected": summary.rows_rejected,
                "files": MetadataValue.json(summary.files),
                "source_cost": MetadataValue.json({k: exact_text(v) for k, v in summary.source_cost.items()}),
                "landing": MetadataValue.path(str(slice_.folder)),
            }
        )

    @asset(
        key=consumption_key,
        deps=[lines_key],
        partitions_def=partitions,
        group_name=source.name,
        kinds={"postgres"},
        pool=LOAD_POOL,
        check_specs=[
            AssetCheckSpec(
                "nothing_lost", asset=consumption_key, description="rows read = rows loaded + rows rejected"
            ),
            AssetCheckSpec(
                "conservation",
                asset=consumption_key,
                description="mart + rejected cost = the file's total, per currency, exactly",
            ),
            AssetCheckSpec(
                "mapping_coverage",
                asset=consumption_key,
                description=f"share of cost attributed to an application >= {source.coverage_threshold} "
                "(warns)",
            ),
        ],
        description=f"Consumption of `{source.name}` in the mart: the (source, month) slice of "
        "fact_consumption, replaced whole in one transaction",
    )
    def consumption(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        month = partition_month(context.partition_key)
        slice_ = LandingSlice(mart.landing_root(), source.name, month)
        url = mart.url()
        result = load_consumption(url, slice_, source.cost_column)
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
            },
            check_results=[
                nothing_lost(url, source.name, month),
                conservation(url, source.name, month),
                mapping_coverage(url, source.name, month, source.coverage_threshold),
            ],
        )

    return [billing_lines, consumption]
