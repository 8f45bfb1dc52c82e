"""The referential assets: the product catalog, applied as of the month it changes in."""

from datetime import UTC, datetime

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from finops_assets.referentials.catalog import apply_catalog, read_catalog
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig

CATALOG_KEY = AssetKey(["referentials", "catalog"])


def catalog_asset(config: PlatformConfig) -> AssetsDefinition:
    assert config.catalog is not None
    folder = config.resolve(config.catalog)

    # Not month-partitioned: a catalog change takes effect in the month it is applied, and
    # re-valuing a closed month (a backfill) reads the versions valid then instead of
    # re-applying today's files to the past.
    @asset(
        key=CATALOG_KEY,
        group_name="referentials",
        kinds={"yaml", "postgres"},
        description=f"Domains, families and products declared in {folder}; a change versions the "
        "dimensions from the current month, a removed entry is soft-deleted",
    )
    def catalog(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        backstage = config.backstage is not None  # then the Backstage sync owns the applications
        declared = read_catalog(folder, backstage_owns_applications=backstage)
        month = datetime.now(UTC).date().replace(day=1)
        apply_catalog(mart.url(), declared, month, applications=not backstage)
        context.log.info(f"catalog applied as of {month:%Y-%m}")
        return MaterializeResult(
            metadata={
                "effective_month": f"{month:%Y-%m}",
                "domains": len(declared.domains),
                "families": len(declared.families),
                "products": len(declared.products),
            }
        )

    return catalog
