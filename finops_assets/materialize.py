"""Materializing a month in-process: the same asset graph the Dagster UI runs, for the CLI,
the demo, the tests and the benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dagster import AssetKey, DagsterInstance, ExecuteInProcessResult, materialize

from finops_assets.graph import build_assets
from finops_assets.instance import MART_TAG, recording_instance
from finops_assets.mart.assets import ALLOCATION_KEY, COST_VIEWS_KEY, VALUATION_KEY
from finops_assets.referentials.assets import ALLOCATION_RULES_KEY, CATALOG_KEY, PRICING_KEY
from finops_assets.resources import MartResource
from finops_assets.sources.native.assets import check_source_kinds
from finops_core.config import PlatformConfig
from finops_core.database import database_identity


def month_selection(config: PlatformConfig, sources: Sequence[str] | None) -> list[AssetKey]:
    names = list(sources) if sources else [s.name for s in config.sources]
    for name in names:
        config.source(name)  # a clear error for an unknown source name
    keys = [AssetKey([name, step]) for name in names for step in ("billing_lines", "consumption")]
    referentials = [
        key
        for key, configured in (
            (CATALOG_KEY, config.catalog),
            (PRICING_KEY, config.pricing),
            (ALLOCATION_RULES_KEY, config.allocation),
        )
        if configured
    ]
    return [*keys, *referentials, ALLOCATION_KEY, VALUATION_KEY, COST_VIEWS_KEY]


def month_pools(config: PlatformConfig, sources: Sequence[str] | None) -> set[str]:
    """The concurrency pools a month's run of these sources takes slots in (dagster.yaml)."""
    selection = set(month_selection(config, sources))
    return {
        pool for asset in build_assets(config) if selection & set(asset.keys) for pool in asset.node_def.pools
    }


def materialize_month(
    config: PlatformConfig,
    month: date,
    mart: MartResource,
    sources: Sequence[str] | None = None,
    instance: DagsterInstance | None = None,
    log_level: str = "WARNING",
    raise_on_error: bool = True,
    accept_held: bool = False,
    reland: bool = False,
) -> ExecuteInProcessResult:
    """Run the month partition of the selected sources (default: all) and of the mart assets.
    Runs are recorded in `instance`, by default the one recording_instance chooses (DAGSTER_HOME's
    when it serves this mart, else in memory); each is tagged with the mart it writes. A file
    under a wrong kind is refused before the run, in one line. `accept_held`: deliveries that
    validation would hold replace their months (finops_assets/sources/delivery.py); `reland`:
    the months land again even when their deliveries did not change (sources/manifest.py)."""
    selection = month_selection(config, sources)
    check_source_kinds(config, [key.path[0] for key in selection if key.path[-1] == "billing_lines"])
    if instance is None:
        instance = recording_instance(mart.url()).instance
    return materialize(
        build_assets(config),
        selection=selection,
        partition_key=month.isoformat(),
        resources={"mart": mart},
        instance=instance,
        tags={MART_TAG: database_identity(mart.url())},
        run_config={
            "loggers": {"console": {"config": {"log_level": log_level}}},
            "ops": {
                key.to_python_identifier(): {"config": {"accept_held": accept_held, "reland": reland}}
                for key in selection
                if key.path[-1] == "billing_lines"
            },
        },
        raise_on_error=raise_on_error,
    )
