"""The assets of one tabular source: the same two assets and checks as a FOCUS source, plus
quantity conservation (a source without a cost column is conserved on its quantities)."""

from collections.abc import Callable

from dagster import AssetsDefinition, PartitionsDefinition

from finops_assets.landing import LandingSlice
from finops_assets.sources.assets import source_assets
from finops_assets.sources.monthly import Delivery, IngestSummary
from finops_assets.sources.tabular.ingest import TabularOptions, ingest_tabular_month
from finops_assets.sources.tabular.reader import suffixes
from finops_core.config import PlatformConfig, SourceConfig


def tabular_source_assets(
    source: SourceConfig, config: PlatformConfig, partitions: PartitionsDefinition
) -> list[AssetsDefinition]:
    if source.mapping is None:  # validate() requires it; a config built in code may not have it
        raise ValueError(f"source {source.name!r}: kind tabular needs a mapping")
    options = TabularOptions(source.mapping, source.format, source.filters)
    path = config.source_path(source)

    def ingest(slice_: LandingSlice, log: Callable[[str], None], delivery: Delivery) -> IngestSummary:
        return ingest_tabular_month(path, options, slice_, log, delivery)

    description = f"Tabular records of `{source.name}` ({path})"
    return source_assets(
        source.name,
        description,
        partitions,
        ingest,
        options.cost_column,
        source.coverage_threshold,
        (path, suffixes(options.file_format)),
        conserve_quantity=True,
        rules=source.delivery,
        export_runs=False,
    )
