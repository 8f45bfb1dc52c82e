"""The checks of a month's allocation and valuation, standalone (each re-runs alone from the
UI). The conservation checks block: the read models are not rebuilt over a month whose
allocation or valuation does not add up; price_coverage warns."""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    PartitionsDefinition,
    PreviewWarning,
    asset_check,
)

from finops_assets.mart import checks
from finops_assets.mart.assets import ALLOCATION_KEY, VALUATION_KEY
from finops_assets.partitions import partition_month
from finops_assets.resources import MartResource

# A month's check runs for that month (partitions_def): a preview in Dagster 1.13, and the
# only way a check of a partitioned asset says which partition it checked.
warnings.filterwarnings("ignore", "Specifying a partitions_def on an AssetCheckSpec", PreviewWarning)


def month_checks(partitions: PartitionsDefinition) -> list[AssetChecksDefinition]:
    @asset_check(
        asset=ALLOCATION_KEY,
        name="allocation_conservation",
        blocking=True,
        partitions_def=partitions,
        description="per source, product and currency: allocated quantity and cost = consumption's",
    )
    def allocation_conservation(context: AssetCheckExecutionContext, mart: MartResource) -> AssetCheckResult:
        with mart.connection() as conn:
            return checks.allocation_conservation(conn, partition_month(context.partition_key))

    @asset_check(
        asset=VALUATION_KEY,
        name="actual_equals_consumption",
        blocking=True,
        partitions_def=partitions,
        description="actual view cost = consumption's reported cost",
    )
    def actual_equals_consumption(
        context: AssetCheckExecutionContext, mart: MartResource
    ) -> AssetCheckResult:
        with mart.connection() as conn:
            return checks.valuation_matches_consumption(conn, partition_month(context.partition_key))

    @asset_check(
        asset=VALUATION_KEY,
        name="price_coverage",
        partitions_def=partitions,
        description="every row of every rate-card view has a price and FX rate (warns)",
    )
    def price_coverage(context: AssetCheckExecutionContext, mart: MartResource) -> AssetCheckResult:
        with mart.connection() as conn:
            return checks.price_coverage(conn, partition_month(context.partition_key))

    return [allocation_conservation, actual_equals_consumption, price_coverage]
