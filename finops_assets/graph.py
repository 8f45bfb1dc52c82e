"""The asset graph, built from the platform configuration: sources are configuration."""

from __future__ import annotations

from dagster import AssetsDefinition, Definitions, ExecutorDefinition, in_process_executor

from finops_assets.mart.assets import mart_assets
from finops_assets.mart.month_checks import month_checks
from finops_assets.partitions import monthly_partitions
from finops_assets.referentials.assets import (
    ALLOCATION_RULES_KEY,
    CATALOG_KEY,
    PRICING_KEY,
    allocation_rules_asset,
    catalog_asset,
    pricing_asset,
)
from finops_assets.referentials.backstage.assets import BACKSTAGE_KEY, backstage_asset
from finops_assets.resources import MartResource
from finops_assets.schedules import (
    daily_referentials_schedule,
    daily_refresh_schedule,
    month_job,
    referentials_job,
)
from finops_assets.sensors import new_delivery_sensor
from finops_assets.sources.native.assets import converted_source_assets
from finops_assets.sources.tabular.assets import tabular_source_assets
from finops_core.config import PlatformConfig


def build_assets(config: PlatformConfig) -> list[AssetsDefinition]:
    """Every asset and asset check (an AssetChecksDefinition is an AssetsDefinition)."""
    partitions = monthly_partitions(config)
    assets: list[AssetsDefinition] = []
    for source in config.sources:
        builder = tabular_source_assets if source.kind == "tabular" else converted_source_assets
        assets.extend(builder(source, config, partitions))
    upstream = [key for a in assets for key in a.keys if key.path[-1] == "consumption"]
    if config.catalog:
        assets.append(catalog_asset(config))
        upstream.append(CATALOG_KEY)
    if config.backstage:
        assets.append(backstage_asset(config.backstage))
        upstream.append(BACKSTAGE_KEY)
    if config.pricing:
        assets.append(pricing_asset(config))
        upstream.append(PRICING_KEY)
    if config.allocation:
        assets.append(allocation_rules_asset(config))
        upstream.append(ALLOCATION_RULES_KEY)
    return assets + mart_assets(upstream, partitions) + month_checks(partitions)


def build_definitions(
    config: PlatformConfig, mart: MartResource | None = None, executor: ExecutorDefinition | None = None
) -> Definitions:
    """executor: None for the in-process one below; Kubernetes passes its own (finops_assets/k8s.py)."""
    partitions = monthly_partitions(config)
    months = month_job()
    jobs, schedules = [months], [daily_refresh_schedule(months, partitions)]
    if config.catalog or config.backstage or config.pricing or config.allocation:
        referentials = referentials_job()
        jobs.append(referentials)
        schedules.append(daily_referentials_schedule(referentials))
    return Definitions(
        assets=build_assets(config),
        # A month's steps are short and database-bound: one process per run, as the CLI runs
        # them, instead of a process per step (each paying the imports: a month took 23 s from
        # the UI against 2 s from the CLI on 2 cores). Runs, not steps, give the parallelism.
        executor=executor or in_process_executor,
        jobs=jobs,
        schedules=schedules,
        sensors=[new_delivery_sensor(config, months, partitions)],
        resources={"mart": mart or MartResource()},
    )
