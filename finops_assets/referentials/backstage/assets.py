"""The asset referentials/backstage: applications and groups synced from the Backstage catalog."""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from finops_assets.referentials.backstage.sync import (
    apply_backstage,
    backstage_token,
    read_backstage,
)
from finops_assets.resources import MartResource
from finops_core.config import BackstageConfig

BACKSTAGE_KEY = AssetKey(["referentials", "backstage"])


def backstage_asset(config: BackstageConfig) -> AssetsDefinition:
    # Not month-partitioned, like the catalog: the sync describes the catalog as it is now, so
    # it versions the dimensions from the current month and never rewrites a closed one.
    @asset(
        key=BACKSTAGE_KEY,
        group_name="referentials",
        kinds={"backstage", "postgres"},
        description=f"Applications ({config.application_kind} entities) and groups with their member "
        f"counts, read from the Backstage catalog at {config.base_url}; a change versions "
        "dim_application and dim_group from the current month",
    )
    def backstage(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        snapshot = read_backstage(config, backstage_token(config), context.log.info)
        month = datetime.now(UTC).date().replace(day=1)
        changed = apply_backstage(mart.url(), snapshot, month)
        context.log.info(f"Backstage catalog applied as of {month:%Y-%m}: {changed}")
        return MaterializeResult(
            metadata={
                "effective_month": f"{month:%Y-%m}",
                "entities_read": snapshot.entities,
                "pages": snapshot.pages,
                "applications": len(snapshot.applications),
                "groups": len(snapshot.groups),
                "application_versions_changed": changed["dim_application"],
                "group_versions_changed": changed["dim_group"],
            }
        )

    return backstage
