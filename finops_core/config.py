"""The platform configuration file (finops.yaml): sources are configuration, not code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import msgspec

from finops_core.months import parse_month

_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class ConfigError(ValueError):
    """A configuration file that cannot be used, with the reason and where."""


class SourceConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    name: str
    """Unique; used in the API and in the Dagster asset keys."""
    kind: Literal["focus"]
    path: str
    """A file, a glob or a folder; CSV (optionally .gz) and Parquet. Relative to the config file."""
    cost_column: Literal["EffectiveCost", "BilledCost"] = "EffectiveCost"
    application_tag: str | None = None
    """The tag key naming the consuming application; lines without it go to `unallocated`."""
    default_currency: str | None = None
    """Used only for files that have no BillingCurrency column (the FOCUS spec's own examples)."""


class BackstageConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """The Backstage catalog that applications and groups are synced from (README: Backstage)."""

    base_url: str
    """The Backstage backend; the catalog API is at {base_url}/api/catalog."""
    token_env: str = "BACKSTAGE_TOKEN"
    """The environment variable holding the static token (never written in this file)."""
    application_kind: Literal["Component", "System"] = "Component"
    filter: str | None = None
    """An extra by-query filter ANDed to the kind, e.g. spec.type=service."""
    page_size: int = 500
    timeout_seconds: float = 30


class PlatformConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    start_month: str = "2024-01"
    """First month partition; partitions run to the current month included."""
    sources: list[SourceConfig] = msgspec.field(default_factory=list)
    catalog: str | None = None
    """Folder of the product catalog files (domains, families, products); relative to the file."""
    backstage: BackstageConfig | None = None
    """When set, applications and groups come from this Backstage catalog, not the catalog files."""
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
    if config.backstage is not None:
        _validate_backstage(config.backstage, f"{origin}: backstage")
    return config


def _validate_backstage(backstage: BackstageConfig, where: str) -> None:
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", backstage.base_url):
        raise ConfigError(f"{where}.base_url: {backstage.base_url!r} must be an http(s) URL")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", backstage.token_env):
        raise ConfigError(f"{where}.token_env: {backstage.token_env!r} must be an environment variable name")
    if backstage.filter is not None and not all(
        re.fullmatch(r"[^=,\s][^=,]*(=[^,]*)?", part) for part in backstage.filter.split(",")
    ):
        raise ConfigError(
            f"{where}.filter: {backstage.filter!r} must be key=value conditions separated by commas"
        )
    if backstage.filter is not None and any(
        part.split("=")[0].strip().lower() == "kind" for part in backstage.filter.split(",")
    ):
        raise ConfigError(f"{where}.filter: must not name the kind; application_kind sets it")
    if not 1 <= backstage.page_size <= 10_000:
        raise ConfigError(f"{where}.page_size: {backstage.page_size} must be between 1 and 10000")
    if not backstage.timeout_seconds > 0:
        raise ConfigError(f"{where}.timeout_seconds: must be positive")
