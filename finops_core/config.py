"""The platform configuration file (finops.yaml): sources are configuration, not code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import msgspec

from finops_core.months import parse_month
from finops_core.tabular import TabularMapping, mapping_problem

_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class ConfigError(ValueError):
    """A configuration file that cannot be used, with the reason and where."""


class SourceConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    name: str
    """Unique; used in the API and in the Dagster asset keys."""
    kind: Literal["focus", "tabular"]
    path: str
    """A file, a glob or a folder; CSV (optionally .gz) and Parquet (tabular: also JSON lines).
    Relative to the config file."""
    cost_column: Literal["EffectiveCost", "BilledCost"] = "EffectiveCost"
    application_tag: str | None = None
    """The tag key naming the consuming application; lines without it go to `unallocated`."""
    default_currency: str | None = None
    """Used only for files that have no BillingCurrency column (the FOCUS spec's own examples)."""
    format: Literal["csv", "jsonl", "parquet"] | None = None
    """kind tabular: the files' format; by default from each file's extension."""
    mapping: TabularMapping | None = None
    """kind tabular: which column or constant gives each fact field (finops_core/tabular.py)."""


class PlatformConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    start_month: str = "2024-01"
    """First month partition; partitions run to the current month included."""
    sources: list[SourceConfig] = msgspec.field(default_factory=list)
    catalog: str | None = None
    """Folder of the product catalog files (domains, families, products); relative to the file."""
    base_dir: Path = Path(".")
    """Folder that relative source paths start from (the config file's folder); set by load."""

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"unknown source {name!r}; configured sources: {known}")

    def source_path(self, source: SourceConfig) -> Path:
        return self.resolve(source.path)

    def resolve(self, path_text: str) -> Path:
        path = Path(path_text)
        return path if path.is_absolute() else self.base_dir / path


def load_config(path: Path) -> PlatformConfig:
    if not path.exists():
        raise ConfigError(f"{path}: no such configuration file (set FINOPS_CONFIG)")
    try:
        config = msgspec.yaml.decode(path.read_bytes(), type=PlatformConfig)
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {error}") from None
    except msgspec.DecodeError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return validate(msgspec.structs.replace(config, base_dir=path.resolve().parent), origin=str(path))


def validate(config: PlatformConfig, origin: str = "configuration") -> PlatformConfig:
    try:
        parse_month(config.start_month)
    except ValueError as error:
        raise ConfigError(f"{origin}: start_month: {error}") from None
    seen: set[str] = set()
    for index, source in enumerate(config.sources):
        where = f"{origin}: sources[{index}]"
        if not _SOURCE_NAME.match(source.name):
            raise ConfigError(
                f"{where}.name: {source.name!r} must be lower-case letters, digits and _, "
                "starting with a letter"
            )
        if source.name in seen:
            raise ConfigError(f"{where}.name: {source.name!r} is declared twice")
        seen.add(source.name)
        if source.default_currency is not None and not re.fullmatch(r"[A-Z]{3}", source.default_currency):
            raise ConfigError(f"{where}.default_currency: expected an ISO 4217 code such as USD")
        _validate_kind(source, where)
    return config


def _validate_kind(source: SourceConfig, where: str) -> None:
    if source.kind != "tabular":
        for name in ("format", "mapping"):
            if getattr(source, name) is not None:
                raise ConfigError(f"{where}.{name}: only for kind tabular")
        return
    if source.mapping is None:
        raise ConfigError(f"{where}.mapping: required for kind tabular (month, application, product, ...)")
    focus_only = {"application_tag": source.application_tag, "default_currency": source.default_currency}
    focus_only["cost_column"] = None if source.cost_column == "EffectiveCost" else source.cost_column
    for name, value in focus_only.items():
        if value is not None:
            raise ConfigError(f"{where}.{name}: only for kind focus; a tabular source says it in mapping")
    if (problem := mapping_problem(source.mapping)) is not None:
        raise ConfigError(f"{where}.mapping.{problem}")
