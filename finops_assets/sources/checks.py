"""The checks of one source's month, standalone so that each re-runs alone from the UI.

nothing_lost and (quantity_)conservation block: when one fails, the month's allocation and
valuation do not run on a slice that lost or changed rows. no_delivery, mapping_coverage and
rejected_share warn."""

from datetime import date
from typing import Any

import psycopg
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
    PartitionsDefinition,
    asset_check,
)

from finops_assets.landing import LandingSlice
from finops_assets.mart import checks
from finops_assets.mart.month_checks import month_check
from finops_assets.partitions import partition_month
from finops_assets.resources import MartResource


def source_checks(
    name: str,
    partitions: PartitionsDefinition,
    coverage_threshold: float,
    conserve_quantity: bool,
    max_rejected_share: float,
) -> list[AssetChecksDefinition]:
    lines_key = AssetKey([name, "billing_lines"])
    consumption_key = AssetKey([name, "consumption"])

    def slice_of(context: AssetCheckExecutionContext, mart: MartResource) -> LandingSlice:
        return LandingSlice(mart.landing_root(), name, partition_month(context.partition_key))

    @asset_check(
        asset=lines_key,
        name="no_delivery",
        partitions_def=partitions,
        description="a file of the source holds the month (warns when none does: an empty month "
        "that was never delivered, not a month that cost nothing)",
    )
    def no_delivery(context: AssetCheckExecutionContext, mart: MartResource) -> AssetCheckResult:
        return checks.no_delivery(slice_of(context, mart))

    def nothing_lost(conn: psycopg.Connection[Any], month: date) -> AssetCheckResult:
        return checks.nothing_lost(conn, name, month)

    def conservation(conn: psycopg.Connection[Any], month: date) -> AssetCheckResult:
        return checks.conservation(conn, name, month)

    def mapping_coverage(conn: psycopg.Connection[Any], month: date) -> AssetCheckResult:
        return checks.mapping_coverage(conn, name, month, coverage_threshold)

    def rejected_share(conn: psycopg.Connection[Any], month: date) -> AssetCheckResult:
        return checks.rejected_share(conn, name, month, max_rejected_share)

    defined = [
        no_delivery,
        month_check(
            consumption_key,
            "nothing_lost",
            partitions,
            "rows read = rows loaded + rows rejected (+ rows filtered by a tabular source's filters)",
            nothing_lost,
            blocking=True,
        ),
        month_check(
            consumption_key,
            "conservation",
            partitions,
            "mart + rejected (+ filtered) cost = the file's total, per currency, exactly",
            conservation,
            blocking=True,
        ),
        month_check(
            consumption_key,
            "mapping_coverage",
            partitions,
            f"share of cost attributed to an application >= {coverage_threshold} (warns)",
            mapping_coverage,
        ),
        month_check(
            consumption_key,
            "rejected_share",
            partitions,
            f"rows rejected <= {max_rejected_share:.0%} of the rows kept, the source's "
            "delivery.max_rejected_share (warns: a first delivery is loaded whatever it rejects)",
            rejected_share,
        ),
    ]
    if conserve_quantity:

        @asset_check(
            asset=consumption_key,
            name="quantity_conservation",
            blocking=True,
            partitions_def=partitions,
            description="mart + rejected + filtered quantity = the file's total, per unit, exactly",
        )
        def quantity_conservation(
            context: AssetCheckExecutionContext, mart: MartResource
        ) -> AssetCheckResult:
            with mart.connection() as conn:
                return checks.quantity_conservation(conn, slice_of(context, mart))

        defined.append(quantity_conservation)
    return defined
