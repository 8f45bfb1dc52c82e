"""Mapping rules: which application a FOCUS line is for, and which catalog product it uses.

Application rules run on every line (a ResourceId regex is per line), products on the distinct
combinations of the columns they name (a few thousand per month), both as polars expressions.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import polars as pl

from finops_assets.referentials.declared_values import declared_rows
from finops_assets.sources.focus.columns import FOCUS_COLUMNS, canonical_name
from finops_core.config import (
    ApplicationRule,
    Condition,
    ConfigError,
    PlatformConfig,
    ProductRule,
    SourceConfig,
    ValuePattern,
)
from finops_core.vocabulary import UNALLOCATED

MATCH_PREFIX = "_match_"


@dataclass(frozen=True)
class FocusOptions:
    cost_column: str = "EffectiveCost"
    application_tag: str | None = None
    default_currency: str | None = None
    application_rules: Sequence[ApplicationRule] = ()
    product_rules: Sequence[ProductRule] = ()
    map_tables: dict[str, dict[str, str]] = field(default_factory=dict)
    """map_file path -> its table, read when the options are built."""
    currency_column: str = "BillingCurrency"
    """The currency of the cost column (PricingCurrency for a cost in the pricing currency)."""

    @property
    def all_application_rules(self) -> list[ApplicationRule]:
        tag = [ApplicationRule(tag=self.application_tag)] if self.application_tag else []
        return tag + list(self.application_rules)

    @property
    def product_rule_columns(self) -> list[str]:
        return sorted({column for rule in self.product_rules for column in rule.match})


def _column_name(name: str, where: str) -> str:
    canonical = canonical_name(name)
    if canonical not in FOCUS_COLUMNS and not canonical.startswith("x_"):
        raise ConfigError(f"{where}: {name!r} is not a FOCUS column (provider columns start with x_)")
    return canonical


def read_map_file(path: Path, where: str) -> dict[str, str]:
    """A static mapping table: CSV with the header `value,application`, read as the referential
    tables are (declared_rows: errors name the line); a row with a blank cell maps nothing."""
    try:
        rows = declared_rows(path, ["value", "application"])
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None
    values = Counter(row["value"] for _, row in rows if row["value"] is not None)
    if duplicated := sorted(value for value, count in values.items() if count > 1):
        raise ConfigError(f"{where}: {path}: values mapped twice: {', '.join(duplicated[:5])}")
    return {row["value"]: row["application"] for _, row in rows if row["value"] and row["application"]}


def focus_options(source: SourceConfig, config: PlatformConfig) -> FocusOptions:
    """The source's options with rule columns in their FOCUS spelling and map files read."""
    where = f"sources[{source.name}]"
    application_rules = []
    map_tables: dict[str, dict[str, str]] = {}
    for number, rule in enumerate(source.application_rules):
        at = f"{where}.application_rules[{number}]"
        if rule.column is not None:
            rule = msgspec.structs.replace(rule, column=_column_name(rule.column, f"{at}.column"))
        if rule.map_file is not None:
            path = config.resolve(rule.map_file)
            map_tables[str(path)] = read_map_file(path, f"{at}.map_file")
            rule = msgspec.structs.replace(rule, map_file=str(path))
        application_rules.append(rule)
    product_rules = [
        msgspec.structs.replace(
            rule,
            match={
                _column_name(column, f"{where}.product_rules[{number}].match"): condition
                for column, condition in rule.match.items()
            },
        )
        for number, rule in enumerate(source.product_rules)
    ]
    return FocusOptions(
        cost_column=source.cost_column,
        application_tag=source.application_tag,
        default_currency=source.default_currency,
        application_rules=application_rules,
        product_rules=product_rules,
        map_tables=map_tables,
    )


def text_column(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, pl.String)
    return pl.col(column).cast(pl.String).str.strip_chars()


def _present(value: pl.Expr) -> pl.Expr:
    """Trimmed text, with empty as null: a rule that finds nothing lets the next one try.
    `value` appears once: polars would evaluate it (a tag lookup, a regex) once per use."""
    return value.str.strip_chars().replace("", None)


@functools.lru_cache(maxsize=1 << 14)
def _tags_object(text: str) -> bool:
    """Whether Tags text is a JSON object (braces added when an export forgot them). Cached:
    a month's batches repeat the same few thousand tag sets (16,384 texts of a few hundred
    bytes: a few MB at most)."""
    text = text.strip()
    try:
        return not text or isinstance(json.loads(text if text.startswith("{") else f"{{{text}}}"), dict)
    except ValueError:
        return False


def distinct_tags(frame: pl.DataFrame) -> pl.Series | None:
    """The distinct Tags texts of a frame (None when Tags is not text): what the checks and the
    tag rules look at, once per batch, before the lines are mapped onto them."""
    if "Tags" not in frame.columns or isinstance(frame.schema["Tags"], pl.Struct | pl.List):
        return None
    return frame.select(pl.col("Tags").cast(pl.String).unique().drop_nulls()).to_series()


TAG_SET = "_tag_set"
"""The column of a line's Tags text as its index in the batch's distinct texts (tag_sets): the
check and the tag rules take their results per distinct text from it (a gather), where looking
each line's text up again (hashing it) cost 15-20 ms a rule per 250,000 lines."""


def tag_sets(distinct: pl.Series) -> pl.Expr:
    """A line's Tags text as its index in `distinct` (distinct_tags), null when it has none."""
    indexes = pl.int_range(distinct.len(), dtype=pl.UInt32, eager=True)
    return (
        pl.col("Tags").cast(pl.String).replace_strict(distinct, indexes, default=None, return_dtype=pl.UInt32)
    )


def broken_tags(frame: pl.DataFrame, distinct: pl.Series | None) -> pl.Expr:
    """Whether a line's Tags text is not a JSON object (its application could not be read from
    it: the line is rejected); checked once per `distinct` Tags text (distinct_tags), the frame
    holding their TAG_SET."""
    if distinct is None or frame.schema["Tags"] != pl.String:
        return pl.lit(False)
    broken = pl.Series([not _tags_object(v) for v in distinct.to_list()], dtype=pl.Boolean)
    return pl.lit(broken).gather(pl.col(TAG_SET)).fill_null(False)


def tag_value(frame: pl.DataFrame, keys: list[str], distinct: pl.Series | None) -> pl.Expr:
    """The first of the tags `keys` with a value (trimmed; empty is no value) from Tags as JSON
    text (braces added when an export forgot them), a struct, or a Parquet map (list of
    key/value structs); null when none has one. `distinct`: distinct_tags of a frame holding
    at least the rows of this one, whose TAG_SET this one holds."""
    if "Tags" not in frame.columns:
        return pl.lit(None, pl.String)
    dtype = frame.schema["Tags"]
    tags = pl.col("Tags")
    if isinstance(dtype, pl.Struct):
        names = {field.name for field in dtype.fields}
        present = [_present(tags.struct.field(key).cast(pl.String)) for key in keys if key in names]
        return pl.coalesce(*present, pl.lit(None, pl.String))
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
        entry = pl.element().struct
        return pl.coalesce(
            _present(
                tags.list.eval(pl.element().filter(entry.field("key") == key).struct.field("value"))
                .list.first()
                .cast(pl.String)
            )
            for key in keys
        )
    # A month has far fewer distinct tag sets than lines (5,293 for 1M demo lines): the keys are
    # looked up, trimmed and tried in order on each distinct JSON text, and the lines mapped
    # onto the results once.
    assert distinct is not None  # Tags is neither a struct nor a map
    text = distinct.str.strip_chars()
    json = pl.select(
        pl.when(text.str.starts_with("{")).then(text).otherwise(pl.concat_str(pl.lit("{"), text, pl.lit("}")))
    ).to_series()

    def path(key: str) -> str:
        escaped = key.replace("\\", "\\\\").replace("'", "\\'")
        return f"$['{escaped}']"

    values = pl.select(
        pl.coalesce(_present(pl.lit(json).str.json_path_match(path(key))) for key in keys)
    ).to_series()
    return pl.lit(values).gather(pl.col(TAG_SET))


def _rule_value(
    frame: pl.DataFrame, rule: ApplicationRule, options: FocusOptions, tags: pl.Series | None
) -> pl.Expr:
    if rule.tag is not None:
        return tag_value(frame, [rule.tag] if isinstance(rule.tag, str) else rule.tag, tags)
    assert rule.column is not None  # checked with the configuration
    value = _present(text_column(frame, rule.column))
    table = options.map_tables[rule.map_file] if rule.map_file is not None else rule.map
    if table is not None:
        return value.replace_strict(list(table), list(table.values()), default=None, return_dtype=pl.String)
    if rule.prefix is not None:
        chain: pl.Expr = pl.lit(None, pl.String)
        # longest last, so that it is the outermost `when` and wins
        for prefix, application in sorted(rule.prefix.items(), key=lambda item: len(item[0])):
            chain = pl.when(value.str.starts_with(prefix)).then(pl.lit(application)).otherwise(chain)
        return chain
    if rule.regex is not None:
        return _present(value.str.extract(rule.regex, 1))
    return value


def with_applications(frame: pl.DataFrame, options: FocusOptions, tags: pl.Series | None) -> pl.DataFrame:
    """The frame with `application_code` (UNALLOCATED when no rule gives one) and
    `application_rule` (the 1-based number of the rule that did; null when none did). `tags`:
    distinct_tags of a frame holding at least these rows."""
    rules = options.all_application_rules
    if not rules:
        return frame.with_columns(
            pl.lit(UNALLOCATED).alias("application_code"), pl.lit(None, pl.Int16).alias("application_rule")
        )
    names = [f"_application_{number}" for number in range(len(rules))]
    valued = frame.with_columns(
        _rule_value(frame, rule, options, tags).alias(name) for rule, name in zip(rules, names, strict=True)
    )
    first_rule: pl.Expr = pl.lit(None, pl.Int16)
    for number, name in reversed(list(enumerate(names, start=1))):
        first_rule = pl.when(pl.col(name).is_not_null()).then(pl.lit(number, pl.Int16)).otherwise(first_rule)
    return valued.with_columns(
        pl.coalesce(*names, pl.lit(UNALLOCATED)).alias("application_code"),
        first_rule.alias("application_rule"),
    ).drop(names)


def match_keys(lines: pl.DataFrame, options: FocusOptions) -> list[pl.Expr]:
    """The columns product rules read, as grouping keys of the line combinations."""
    return [
        (pl.col(c).cast(pl.String) if c in lines.columns else pl.lit(None, pl.String)).alias(MATCH_PREFIX + c)
        for c in options.product_rule_columns
    ]


def _condition(column: str, condition: Condition) -> pl.Expr:
    return value_matches(_present(pl.col(MATCH_PREFIX + column)), condition)


def value_matches(value: pl.Expr, condition: Condition) -> pl.Expr:
    """Whether a trimmed text value (null when empty) meets a condition; null never does."""
    if isinstance(condition, ValuePattern):
        matched = value.str.contains(condition.regex)
    elif isinstance(condition, list):
        matched = value.is_in(condition)
    else:
        matched = value == condition
    return matched.fill_null(False)


def matched_product(options: FocusOptions, is_usage: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(code, name) of the first product rule matching a combination of usage lines; null when
    none does. Monetary amounts (tax, credits) keep their own products."""
    code: pl.Expr = pl.lit(None, pl.String)
    name: pl.Expr = pl.lit(None, pl.String)
    for rule in reversed(options.product_rules):
        matched = is_usage
        for column, condition in rule.match.items():
            matched = matched & _condition(column, condition)
        code = pl.when(matched).then(pl.lit(rule.product)).otherwise(code)
        name = pl.when(matched).then(pl.lit(rule.name or rule.product)).otherwise(name)
    return code, name
