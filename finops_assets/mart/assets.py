"""Month assets downstream of every source: allocation, valuation, then the read models."""

from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Config,
    MaterializeResult,
    PartitionsDefinition,
    asset,
)
from pydantic import Field

from finops_assets.faults import step_committed
from finops_assets.mart.allocation import allocate_month
from finops_assets.mart.read_models import refresh_rollups
from finops_assets.mart.valuation import value_month
from finops_assets.partitions import partition_month
from finops_assets.resources import MartResource
from finops_core.months import format_month
from finops_core.settings import Settings

ALLOCATION_KEY = AssetKey(["mart", "allocation"])
VALUATION_KEY = AssetKey(["mart", "valuation"])
COST_VIEWS_KEY = AssetKey(["mart", "cost_views"])


class RebuildConfig(Config):
    whole: bool = Field(
        default=False,
        description="Rebuild the whole month, not only what changed since it was last built on the "
        "same prices and SQL (its products whose consumption changed, their families' roll-ups): as "
        "`finops materialize --reland` or FINOPS_RELAND=1.",
    )

    def wanted(self) -> bool:
        return self.whole or Settings.from_env().reland


def mart_assets(
    upstream_keys: Sequence[AssetKey], partitions: PartitionsDefinition
) -> list[AssetsDefinition]:
    @asset(
        key=ALLOCATION_KEY,
        deps=list(upstream_keys),
        partitions_def=partitions,
        group_name="mart",
        kinds={"postgres"},
        description="The indirect pools spread over applications by the allocation rules valid that month "
        "(allocated_indirect; the view allocated_consumption adds the direct consumption from the facts); "
        "a pool with no rule or key stays `unallocated`",
    )
    def allocation(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        month = partition_month(context.partition_key)
        with mart.connection() as conn:
            summary = allocate_month(conn, month)
        step_committed(ALLOCATION_KEY)
        (context.log.warning if summary.unknown_scopes else context.log.info)(summary.summary())
        return MaterializeResult(
            metadata={
                "pools": summary.pools,
                "allocated_pools": summary.allocated_pools,
                "unallocated_pools": summary.unallocated_pools,
                "shares": summary.shares,
                # only when there are: a clean run's metadata stays what it always was
                **({"rules_naming_unknown_codes": summary.unknown_scopes} if summary.unknown_scopes else {}),
            }
        )

    @asset(
        key=VALUATION_KEY,
        deps=[ALLOCATION_KEY],
        partitions_def=partitions,
        group_name="mart",
        kinds={"postgres"},
        description="The month's direct and allocated consumption valued under every pricing view "
        "(cost_by_product)",
    )
    def valuation(
        context: AssetExecutionContext, config: RebuildConfig, mart: MartResource
    ) -> MaterializeResult:
        month = partition_month(context.partition_key)
        with mart.connection() as conn:
            valued = value_month(conn, month, whole=config.wanted())
        step_committed(VALUATION_KEY)
        context.log.info(valued.summary(format_month(month)))
        return MaterializeResult(
            metadata={
                "valued_whole": valued.revalued_products is None,
                "why_whole": valued.why_whole,
                "rows": valued.rows,
                "revalued_products": valued.revalued_products,
                "rate_card_products": valued.rate_card_products,
            }
        )

    @asset(
        key=COST_VIEWS_KEY,
        deps=[VALUATION_KEY],
        partitions_def=partitions,
        group_name="mart",
        kinds={"postgres"},
        description="The dashboards' roll-ups of the month "
        "(cost_by_application_family, cost_by_application, cost_by_owner_family, cost_by_family, "
        "cost_by_owner)",
    )
    def cost_views(
        context: AssetExecutionContext, config: RebuildConfig, mart: MartResource
    ) -> MaterializeResult:
        month = partition_month(context.partition_key)
        with mart.connection() as conn:
            refreshed = refresh_rollups(conn, month, whole=config.wanted())
        step_committed(COST_VIEWS_KEY)
        context.log.info(refreshed.summary(format_month(month)))
        return MaterializeResult(
            metadata={
                "rebuilt_whole": refreshed.families is None,
                "families": refreshed.families,
                "applications": refreshed.applications,
                "cost_view_families": refreshed.cost_view_families,
            }
        )

    return [allocation, valuation, cost_views]
