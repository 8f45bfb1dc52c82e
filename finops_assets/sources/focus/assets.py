"""The assets of one FOCUS source: its billing lines (landing layer) and its consumption
(the mart slice), both partitioned by billing month."""

from collections.abc import Callable

from dagster import AssetsDefinition, PartitionsDefinition

from finops_assets.landing import LandingSlice
from finops_assets.sources.assets import source_assets
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import focus_options
from finops_assets.sources.monthly import IngestSummary
from finops_core.config import PlatformConfig, SourceConfig


def focus_source_assets(
    source: SourceConfig, config: PlatformConfig, partitions: PartitionsDefinition
) -> list[AssetsDefinition]:
    options = focus_options(source, config)
    path = config.source_path(source)

    def ingest(slice_: LandingSlice, log: Callable[[str], None]) -> IngestSummary:
        return ingest_focus_month(path, options, slice_, log)

    description = f"FOCUS billing lines of `{source.name}` ({path})"
    return source_assets(
        source.name, description, partitions, ingest, source.cost_column, source.coverage_threshold
    )
