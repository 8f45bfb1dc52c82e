"""The platform configuration file (finops.yaml): sources are configuration, not code."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Literal

import msgspec

from finops_core.api_config import ApiConfig, validate_api
from finops_core.deliveries import DeliveryRules, validate_delivery_rules
from finops_core.errors import ConfigError as ConfigError  # raised here, imported from here elsewhere
from finops_core.months import current_month, parse_month
from finops_core.regex_dialect import polars_regex_groups
from finops_core.tabular import TabularMapping, mapping_problem
from finops_core.vocabulary import CURRENCY_PATTERN
from finops_core.yaml_files import decode_yaml

_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

SourceKind = Literal[
    "focus", "tabular", "auto", "aws-cur", "azure-cost-details", "gcp-billing", "oci-cost-report", "opencost"
]
FOCUS_COST_COLUMNS = ("EffectiveCost", "BilledCost")
COST_ALIASES: dict[str, dict[str, str]] = {
    "aws-cur": {
        "amortized": "EffectiveCost",
        "unblended": "BilledCost",
        "blended": "x_BlendedCost",
        "net": "x_NetUnblendedCost",
    },
    "gcp-billing": {"net": "EffectiveCost", "gross": "BilledCost"},
    "azure-cost-details": {"pricing_currency": "PricingCurrencyEffectiveCost"},
}
"""A provider's own names for its cost columns -> the converted column holding that cost."""
QuantityBasis = Literal["pricing", "consumed"]
DEFAULT_QUANTITY: dict[str, QuantityBasis] = {"gcp-billing": "consumed"}
"""GCP's pricing-unit amounts are floats with 21 decimal places; its usage amounts are exact."""


class ApplicationRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """One way to find a line's application; rules are tried in order, the first that gives a
    value wins. Either `tag` (keys tried in order), or `column` with at most one of `map`,
    `map_file`, `prefix`, `regex` (none: the column's value is the application code)."""

    tag: str | list[str] | None = None
    column: str | None = None
    """A FOCUS column (SubAccountId, BillingAccountId, ResourceId...) or a provider's x_ column."""
    map: dict[str, str] | None = None
    """Static table: column value -> application; other values do not match."""
    map_file: str | None = None
    """The same table in a CSV file with the header `value,application`; relative to the config."""
    prefix: dict[str, str] | None = None
    """Value prefix -> application; the longest matching prefix wins."""
    regex: str | None = None
    """The first capture group of the first match is the application code."""


class ValuePattern(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    regex: str
    """Matches a value when the pattern is found in it (anchor with ^ and $ for a whole match)."""


class ProductRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """Usage lines whose columns match every condition are this catalog product."""

    match: dict[str, Condition]
    """Column -> an exact value, any of a list of values, or {regex: ...}."""
    product: str
    """The catalog product's code."""
    name: str | None = None
    """The name to register the product under if the catalog does not declare it."""


Condition = str | list[str] | ValuePattern
"""A column's value equals a text, is one of a list, or matches {regex: ...}; an empty cell
matches none of them (the same conditions as a product rule's `match`)."""


class RowFilters(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """kind tabular: which records are the source's at all. A record is loaded when it meets
    every `keep` condition and none of the `drop` ones; the others are filtered: neither loaded
    nor rejected, but counted (rows and cost per currency) in the load audit."""

    keep: dict[str, Condition] = msgspec.field(default_factory=dict)
    """Column -> condition; a record must meet them all."""
    drop: dict[str, Condition] = msgspec.field(default_factory=dict)
    """Column -> condition; a record meeting any of them is filtered."""

    def columns(self) -> list[str]:
        return sorted(self.keep.keys() | self.drop.keys())


class SourceConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    name: str
    """Unique; used in the API and in the Dagster asset keys."""
    kind: SourceKind
    """focus, tabular, a provider's own export (aws-cur, azure-cost-details, gcp-billing,
    oci-cost-report, opencost), or auto: recognised from the files' headers."""
    path: str
    """A file, a glob or a folder; CSV (optionally .gz or .csv.zip) and Parquet (tabular: also JSON lines;
    opencost and auto: also JSON). Relative to the config file."""
    cost_column: str = "EffectiveCost"
    """EffectiveCost or BilledCost, or the provider's name for a cost (COST_ALIASES)."""
    quantity: QuantityBasis | None = None
    """Provider kinds: a line's quantity and unit are the priced ones (default) or the consumed
    ones (the default for gcp-billing)."""
    application_tag: str | None = None
    """The tag key naming the consuming application; a shorthand for a first `tag` rule."""
    application_rules: list[ApplicationRule] = msgspec.field(default_factory=list)
    """Ordered; the first rule giving a value wins; lines no rule maps go to `unallocated`."""
    product_rules: list[ProductRule] = msgspec.field(default_factory=list)
    """Ordered; the first rule matching wins; other lines get an automatic product."""
    coverage_threshold: float = 0.9
    """The mapping_coverage check warns when less of a month's cost than this is mapped."""
    default_currency: str | None = None
    """Used only for files that have no currency column (the FOCUS spec's own examples, OpenCost,
    old Azure exports)."""
    format: Literal["csv", "jsonl", "parquet"] | None = None
    """kind tabular: the files' format; by default from each file's extension."""
    mapping: TabularMapping | None = None
    """kind tabular: which column or constant gives each fact field (finops_core/tabular.py)."""
    filters: RowFilters | None = None
    """kind tabular: the records to keep or drop before mapping (RowFilters)."""
    delivery: DeliveryRules = msgspec.field(default_factory=DeliveryRules)
    """When a new delivery of a month may replace the loaded one (finops_core/deliveries.py)."""


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
    end_month: str | None = None
    """Last month partition, for a closed history (the demo's); unset: the current month."""
    sources: list[SourceConfig] = msgspec.field(default_factory=list)
    catalog: str | None = None
    """Folder of the product catalog files (domains, families, products); relative to the file."""
    pricing: str | None = None
    """Folder of the pricing files: rate-card pricing views and FX rates; relative to the file."""
    allocation: str | None = None
    """Folder of the allocation files: rules for indirect pools and allocation keys."""
    backstage: BackstageConfig | None = None
    """When set, applications and groups come from this Backstage catalog, not the catalog files."""
    api: ApiConfig | None = None
    """The REST API's authentication and limits (finops_core/api_config.py)."""
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
    config = decode_yaml(path, PlatformConfig)
    # the folder of the file as named, its links not followed: a ConfigMap's finops.yaml is a link
    # into a hidden folder of its volume, where `../catalog/` would miss the catalog's volume
    base_dir = path.absolute().parent
    return validate(msgspec.structs.replace(config, base_dir=base_dir), origin=str(path))


def validate(config: PlatformConfig, origin: str = "configuration") -> PlatformConfig:
    try:
        first = parse_month(config.start_month)
    except ValueError as error:
        raise ConfigError(f"{origin}: start_month: {error}") from None
    current = current_month()
    if first > current:  # no partition would exist: every month a usage error, the UI none
        raise ConfigError(
            f"{origin}: start_month: {config.start_month} is after the current month "
            f"{current:%Y-%m}: the first month to load has to have begun"
        )
    if config.end_month is not None:
        try:
            last = parse_month(config.end_month)
        except ValueError as error:
            raise ConfigError(f"{origin}: end_month: {error}") from None
        if last < first:
            raise ConfigError(f"{origin}: end_month: {config.end_month} is before start_month")
    for name in ("catalog", "pricing", "allocation"):
        # an empty path is the config file's own folder: finops.yaml was read as a catalog file
        if (folder := getattr(config, name)) is not None and not folder.strip():
            raise ConfigError(f"{origin}: {name}: an empty path; name the folder, e.g. {name}/")
    seen: set[str] = set()
    for index, source in enumerate(config.sources):
        where = f"{origin}: sources[{index}]"
        if not source.path.strip():  # the config file's folder: every file there read as costs
            raise ConfigError(f"{where}.path: an empty path; name a file, a glob or a folder")
        if not _SOURCE_NAME.match(source.name):
            raise ConfigError(
                f"{where}.name: {source.name!r} must be lower-case letters, digits and _, "
                "starting with a letter"
            )
        if source.name in seen:
            raise ConfigError(f"{where}.name: {source.name!r} is declared twice")
        seen.add(source.name)
        if source.default_currency is not None and not re.fullmatch(
            CURRENCY_PATTERN, source.default_currency
        ):
            raise ConfigError(f"{where}.default_currency: expected an ISO 4217 code such as USD")
        if not 0 <= source.coverage_threshold <= 1:
            raise ConfigError(f"{where}.coverage_threshold: expected a share between 0 and 1")
        validate_delivery_rules(source.delivery, f"{where}.delivery")
        for number, rule in enumerate(source.application_rules):
            check_application_rule(rule, f"{where}.application_rules[{number}]")
        for number, product_rule in enumerate(source.product_rules):
            check_product_rule(product_rule, f"{where}.product_rules[{number}]")
        _validate_kind(source, where)
    if config.backstage is not None:
        _validate_backstage(config.backstage, f"{origin}: backstage")
    if config.api is not None:
        validate_api(config.api, f"{origin}: api")
    return config


def _check_regex(pattern: str, where: str, groups: int = 0) -> None:
    """The rules run in polars: the pattern is checked there (finops_core/regex_dialect.py)."""
    try:
        found = polars_regex_groups(pattern)
    except ValueError as error:
        raise ConfigError(f"{where}: not a valid regular expression: {error}") from None
    if found < groups:
        raise ConfigError(f"{where}: the pattern needs a capture group, e.g. 'app-([a-z0-9-]+)'")


def check_application_rule(rule: ApplicationRule, where: str) -> None:
    if (rule.tag is None) == (rule.column is None):
        raise ConfigError(f"{where}: give either tag (keys tried in order) or column")
    ways = [name for name in ("map", "map_file", "prefix", "regex") if getattr(rule, name) is not None]
    if rule.tag is not None:
        if ways:
            raise ConfigError(f"{where}.{ways[0]}: only a column rule takes {ways[0]}")
        if not rule.tag or (isinstance(rule.tag, list) and not all(rule.tag)):
            raise ConfigError(f"{where}.tag: expected a tag key or a list of keys")
    if len(ways) > 1:
        given = ", ".join(ways)
        raise ConfigError(f"{where}: give at most one of map, map_file, prefix, regex (got {given})")
    if rule.regex is not None:
        _check_regex(rule.regex, f"{where}.regex", groups=1)


def check_product_rule(rule: ProductRule, where: str) -> None:
    if not rule.match:
        raise ConfigError(f"{where}.match: give at least one column condition")
    if not rule.product.strip():
        raise ConfigError(f"{where}.product: expected a product code")
    _check_conditions(rule.match, f"{where}.match")


def _check_conditions(conditions: dict[str, Condition], where: str) -> None:
    for column, condition in conditions.items():
        if not column.strip():
            raise ConfigError(f"{where}: empty column name")
        if isinstance(condition, ValuePattern):
            _check_regex(condition.regex, f"{where}.{column}.regex")
        elif isinstance(condition, list) and not condition:
            raise ConfigError(f"{where}.{column}: an empty list matches nothing")


def _check_filters(filters: RowFilters, where: str) -> None:
    if not filters.keep and not filters.drop:
        raise ConfigError(
            f"{where}: give keep or drop conditions (column: value, [values] or {{regex: ...}})"
        )
    _check_conditions(filters.keep, f"{where}.keep")
    _check_conditions(filters.drop, f"{where}.drop")


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
    if not 0 < backstage.timeout_seconds < math.inf:
        raise ConfigError(f"{where}.timeout_seconds: must be a positive number of seconds")


def cost_column_of(source: SourceConfig) -> str:
    """The converted column holding the source's configured cost."""
    return COST_ALIASES.get(source.kind, {}).get(source.cost_column, source.cost_column)


def _validate_opencost(source: SourceConfig, where: str) -> None:
    # OpenCost has one cost a line and one quantity, the priced one: a setting that could only be
    # ignored is refused rather than taken as if it chose something
    if source.default_currency is None:
        raise ConfigError(f"{where}.default_currency: required for kind opencost (it has no currency)")
    if source.cost_column != "EffectiveCost":
        raise ConfigError(f"{where}.cost_column: kind opencost has one cost a line (totalCost); remove it")
    if source.quantity is not None:
        raise ConfigError(f"{where}.quantity: kind opencost has one quantity a line; remove it")


def _validate_kind(source: SourceConfig, where: str) -> None:
    if source.kind != "tabular":
        for name in ("format", "mapping", "filters"):
            if getattr(source, name) is not None:
                raise ConfigError(f"{where}.{name}: only for kind tabular")
        if source.kind == "opencost":
            _validate_opencost(source, where)
            return
        allowed = [*FOCUS_COST_COLUMNS, *COST_ALIASES.get(source.kind, {})]
        if source.cost_column not in allowed:
            raise ConfigError(
                f"{where}.cost_column: {source.cost_column!r} is not a cost of kind {source.kind}; "
                f"expected one of {', '.join(allowed)}"
            )
        if source.quantity is not None and source.kind in ("focus", "auto"):
            raise ConfigError(f"{where}.quantity: only for a provider's own kind (aws-cur, ...)")
        return
    if source.mapping is None:
        raise ConfigError(f"{where}.mapping: required for kind tabular (month, application, product, ...)")
    focus_only: dict[str, object] = {
        "application_tag": source.application_tag,
        "default_currency": source.default_currency,
        "application_rules": source.application_rules or None,
        "product_rules": source.product_rules or None,
    }
    focus_only["cost_column"] = None if source.cost_column == "EffectiveCost" else source.cost_column
    focus_only["quantity"] = source.quantity
    for name, value in focus_only.items():
        if value is not None:
            raise ConfigError(f"{where}.{name}: only for kind focus; a tabular source says it in mapping")
    if (problem := mapping_problem(source.mapping)) is not None:
        raise ConfigError(f"{where}.mapping.{problem}")
    if source.filters is not None:
        _check_filters(source.filters, f"{where}.filters")
