"""Month assets downstream of every source: valuation, then the read models."""

from collections.abc import Sequence

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    PartitionsDefinition,
    asset,
)

from finops_assets.mart.checks import valuation_matches_consumption
from finops_assets.mart.read_models import refresh_rollups, value_month
from finops_assets.partitions import partition_month
from finops_assets.resources import MartResource

VALUATION_KEY = AssetKey(["mart", "valuation"])
COST_VIEWS_KEY = AssetKey(["mart", "cost_views"])


def mart_assets(
    upstream_keys: Sequence[AssetKey], partitions: PartitionsDefinition
) -> list[AssetsDefinition]:
    @asset(
        key=VALUATION_KEY,
        deps=list(upstream_keys),
        partitions_def=partitions,
        group_name="mart",
        kinds={"postgres"},
        check_specs=[
            AssetCheckSpec(
                "actual_equals_consumption",
                asset=VALUATION_KEY,
                description="actual view cost = consumption's reported cost",
            )
        ],
        description="The month's consumption valued under every pricing view (cost_by_product)",
    )
    def valuation(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        month = partition_month(context.partition_key)
        url = mart.url()
        rows = value_month(url, month)
        context.log.info(f"valued {rows} rows for {context.partition_key}")
        return MaterializeResult(
            metadata={"rows": rows}, check_results=[valuation_matches_consumption(url, month)]
        )

    @asset(
        key=COST_VIEWS_KEY,
        deps=[VALUATION_KEY],
        partitions_def=partitions,
        group_name="mart",
        kinds={"postgres"},
        description="The dashboards' roll-ups of the month (cost_by_application, cost_by_family)",
    )
    def cost_views(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        refresh_rollups(mart.url(), partition_month(context.partition_key))
        return MaterializeResult()

    return [valuation, cost_views]
