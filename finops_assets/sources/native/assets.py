"""The assets of a source read through the FOCUS normalisation: FOCUS files, a provider's own
export converted to FOCUS columns, or `kind: auto` (the format recognised from the headers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from dagster import AssetsDefinition, PartitionsDefinition

from finops_assets.landing import LandingSlice
from finops_assets.sources.assets import source_assets
from finops_assets.sources.aws_cur.convert import AwsCur
from finops_assets.sources.azure_cost_details.convert import AzureCostDetails
from finops_assets.sources.detect import FORMAT_NAMES, resolve_kind
from finops_assets.sources.files import (
    SUPPORTED_SUFFIXES,
    SourceFilesError,
    UnreadableFileError,
    source_files,
)
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import focus_options
from finops_assets.sources.focus.reader import FocusFiles
from finops_assets.sources.gcp_billing.convert import GcpBilling
from finops_assets.sources.monthly import Delivery, IngestSummary, MonthlyReader
from finops_assets.sources.native.reader import NATIVE_SUFFIXES, Converter, NativeFiles
from finops_assets.sources.oci_cost_report.convert import OciCostReport
from finops_assets.sources.opencost.convert import OpenCost
from finops_core.config import DEFAULT_QUANTITY, PlatformConfig, SourceConfig, cost_column_of

CONVERTERS: dict[str, Converter] = {
    "aws-cur": AwsCur(),
    "azure-cost-details": AzureCostDetails(),
    "gcp-billing": GcpBilling(),
    "oci-cost-report": OciCostReport(),
    "opencost": OpenCost(),
}


def suffixes_of(source: SourceConfig) -> tuple[str, ...]:
    """JSON is OpenCost's or Google Cloud's: a FOCUS folder keeps ignoring the JSON files beside
    its exports."""
    return NATIVE_SUFFIXES if source.kind in ("opencost", "gcp-billing", "auto") else SUPPORTED_SUFFIXES


def reader_for(source: SourceConfig) -> Callable[[list[Path]], MonthlyReader]:
    def reader(files: list[Path]) -> MonthlyReader:
        kind = resolve_kind(files, source.kind)
        if kind == "focus":
            return FocusFiles()
        return NativeFiles(CONVERTERS[kind], source.quantity or DEFAULT_QUANTITY.get(kind, "pricing"))

    return reader


def check_source_kinds(config: PlatformConfig, names: Sequence[str]) -> None:
    """Before a run: every file of these sources is of its source's kind (a ConfigError in one
    line otherwise). A missing path or an unreadable file is left to the run, which reports it
    for its month (and audits it)."""
    for name in names:
        source = config.source(name)
        if source.kind == "tabular":
            continue
        try:
            resolve_kind(source_files(config.source_path(source), suffixes_of(source)), source.kind)
        except (SourceFilesError, UnreadableFileError):
            continue


def converted_source_assets(
    source: SourceConfig, config: PlatformConfig, partitions: PartitionsDefinition
) -> list[AssetsDefinition]:
    cost_column = cost_column_of(source)
    currency = "PricingCurrency" if cost_column.startswith("PricingCurrency") else "BillingCurrency"
    options = dataclasses.replace(
        focus_options(source, config), cost_column=cost_column, currency_column=currency
    )
    path = config.source_path(source)
    read = reader_for(source)

    def ingest(slice_: LandingSlice, log: Callable[[str], None], delivery: Delivery) -> IngestSummary:
        return ingest_focus_month(path, options, slice_, log, read, suffixes_of(source), delivery)

    what = (
        "billing lines"
        if source.kind == "auto"
        else f"lines of {FORMAT_NAMES[source.kind].split(' ', 1)[1]}s"
    )
    description = f"FOCUS {what} of `{source.name}` ({path})"
    return source_assets(
        source.name,
        description,
        partitions,
        ingest,
        source.cost_column,
        source.coverage_threshold,
        (path, suffixes_of(source)),
        rules=source.delivery,
    )
