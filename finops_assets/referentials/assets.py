"""The referential assets: the product catalog (applied as of the month it changes in), the
pricing files and the allocation files."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from finops_assets.mart.connection import Mart
from finops_assets.referentials.allocation import apply_allocation, read_allocation
from finops_assets.referentials.catalog import apply_catalog, read_catalog
from finops_assets.referentials.effective_month import effective_month
from finops_assets.referentials.pricing import apply_pricing, read_pricing
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig

CATALOG_KEY = AssetKey(["referentials", "catalog"])


def catalog_asset(config: PlatformConfig) -> AssetsDefinition:
    assert config.catalog is not None
    folder = config.resolve(config.catalog)

    # Not month-partitioned: a catalog change takes effect in the month of the run that applies
    # it (effective_month), and re-valuing a closed month (a backfill) reads the versions valid
    # then instead of re-applying today's files to the past.
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
        month = effective_month(context)
        with mart.connection() as conn:
            apply_catalog(conn, declared, month, applications=not backstage)
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


PRICING_KEY = AssetKey(["referentials", "pricing"])
ALLOCATION_RULES_KEY = AssetKey(["referentials", "allocation"])


def _declared_files_asset(
    key: AssetKey, folder: Path, description: str, apply: Callable[[Mart, Path], dict[str, Any]]
) -> AssetsDefinition:
    """An unpartitioned asset applying the files of `folder` to the mart; `apply` reads them
    whole first (a bad file changes nothing) and returns what it applied, as metadata."""

    @asset(key=key, group_name="referentials", kinds={"yaml", "csv", "postgres"}, description=description)
    def declared(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        with mart.connection() as conn:
            metadata = apply(conn, folder)
        context.log.info(f"{key.to_user_string()} applied: {metadata}")
        return MaterializeResult(metadata=metadata)

    return declared


def _apply_pricing(mart: Mart, folder: Path) -> dict[str, Any]:
    declared = read_pricing(folder)
    apply_pricing(mart, declared)
    return {
        "views": [view.code for view in declared.views],
        "unit_prices": sum(len(view.prices) for view in declared.views),
        "fx_rates": len(declared.fx_rates),
    }


def _apply_allocation(mart: Mart, folder: Path) -> dict[str, Any]:
    declared = read_allocation(folder)
    apply_allocation(mart, declared)
    return {
        "rules": [rule.code for rule in declared.rules],
        "keys": len(declared.keys),
        "drivers": sorted({key.driver for key in declared.keys}),
    }


def pricing_asset(config: PlatformConfig) -> AssetsDefinition:
    assert config.pricing is not None
    folder = config.resolve(config.pricing)
    description = f"Rate-card pricing views, their unit prices and the FX rates declared in {folder}"
    return _declared_files_asset(PRICING_KEY, folder, description, _apply_pricing)


def allocation_rules_asset(config: PlatformConfig) -> AssetsDefinition:
    assert config.allocation is not None
    folder = config.resolve(config.allocation)
    description = f"Allocation rules of the indirect pools and allocation keys declared in {folder}"
    return _declared_files_asset(ALLOCATION_RULES_KEY, folder, description, _apply_allocation)
