"""The checks of a month's allocation and valuation, standalone (each re-runs alone from the
UI). The conservation checks block: the read models are not rebuilt over a month whose
allocation or valuation does not add up; price_coverage warns."""

import warnings
from collections.abc import Callable
from datetime import date
from typing import Any

import psycopg
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
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

Evaluate = Callable[[psycopg.Connection[Any], date], AssetCheckResult]
"""A check's figures, read from the mart for one month."""


def month_check(
    asset: AssetKey,
    name: str,
    partitions: PartitionsDefinition,
    description: str,
    evaluate: Evaluate,
    blocking: bool = False,
) -> AssetChecksDefinition:
    """A check of the asset's month partition, evaluated on a connection the run's mart lends."""

    @asset_check(
        asset=asset, name=name, blocking=blocking, partitions_def=partitions, description=description
    )
    def check(context: AssetCheckExecutionContext, mart: MartResource) -> AssetCheckResult:
        with mart.connection() as conn:
            return evaluate(conn, partition_month(context.partition_key))

    return check


def month_checks(partitions: PartitionsDefinition) -> list[AssetChecksDefinition]:
    return [
        month_check(
            ALLOCATION_KEY,
            "allocation_conservation",
            partitions,
            "per source, product and currency: allocated quantity and cost = consumption's",
            checks.allocation_conservation,
            blocking=True,
        ),
        month_check(
            VALUATION_KEY,
            "actual_equals_consumption",
            partitions,
            "actual view cost = consumption's reported cost",
            checks.valuation_matches_consumption,
            blocking=True,
        ),
        month_check(
            VALUATION_KEY,
            "price_coverage",
            partitions,
            "every row of every rate-card view has a price and FX rate (warns)",
            checks.price_coverage,
        ),
    ]
