"""Reading a provider's columns whatever their spelling, and the conversions every provider
needs: text, exact decimals, dates in several notations, tags as a JSON object.

A converted line keeps every provider column under `x_<name>` (so product rules can match
them, and the landing keeps the provider's values) beside the FOCUS columns derived from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import polars as pl

from finops_assets.sources.decimals import DECIMAL, SCALE, parse_decimal


def clean_header(name: str) -> str:
    """The header as written, less a BOM and padding."""
    return name.lstrip("\ufeff").strip()


class Columns:
    """The provider columns of a frame, found by a normalised key (`key` maps a header to it),
    so `Cost`, `cost` and `Kosten (Cost)` are one column."""

    def __init__(self, frame: pl.DataFrame, key: Callable[[str], str]) -> None:
        self.frame = frame
        self._names: dict[str, str] = {}
        for name in frame.columns:
            self._names.setdefault(key(clean_header(name)), name)

    def name(self, *keys: str) -> str | None:
        """The first of `keys` the file has, as the file spells it."""
        return next((self._names[k] for k in keys if k in self._names), None)

    def label(self, *keys: str) -> str:
        """What a reject reason calls the column: the file's spelling, else the first key."""
        found = self.name(*keys)
        return clean_header(found) if found is not None else keys[0]

    def text(self, *keys: str) -> pl.Expr:
        """Trimmed text of the first of `keys` present; empty is null; null when none is."""
        name = self.name(*keys)
        if name is None:
            return pl.lit(None, pl.String)
        return pl.col(name).cast(pl.String).str.strip_chars().replace("", None)

    def raw(self, *keys: str) -> pl.Expr:
        """The column as written, for a FOCUS column the normaliser trims itself (on the
        distinct combinations, not on every line); null when the file has none of `keys`."""
        name = self.name(*keys)
        return pl.lit(None, pl.String) if name is None else pl.col(name).cast(pl.String)

    def number(self, *keys: str) -> pl.Expr:
        """A number column as the file types it: a typed Parquet decimal or integer passes as
        it is (the normaliser's fast path), anything else as text."""
        name = self.name(*keys)
        if name is not None and _exact_type(self.frame.schema[name]):
            return pl.col(name)
        return self.text(*keys)

    def decimal(self, *keys: str) -> pl.Expr:
        """The exact value (null when missing or not a number: `problems` says which)."""
        name = self.name(*keys)
        if name is not None and _exact_type(self.frame.schema[name]):
            return pl.col(name).cast(DECIMAL)
        return self.text(*keys).str.to_decimal(scale=SCALE)

    def date(self, *keys: str) -> pl.Expr:
        """The column's dates as ISO text (`iso_date`), parsed once per distinct value: a month
        of a million lines has a few hundred."""
        name = self.name(*keys)
        if name is None:
            return pl.lit(None, pl.String)
        text = self.text(*keys)
        distinct = self.frame.select(text.unique().drop_nulls().alias("d"))
        iso = distinct.select(iso_date(pl.col("d"))).to_series()
        return text.replace_strict(distinct["d"], iso, default=None, return_dtype=pl.String)

    def problems(self, *keys: str) -> pl.Expr:
        """The reason the first bad value among these number columns is bad, else null."""
        found = [name for name in (self.name(k) for k in keys) if name is not None]
        reasons = [parse_decimal(n, self.frame.schema[n], clean_header(n))[1] for n in found]
        return pl.coalesce(*reasons, pl.lit(None, pl.String))

    def optional(self, alias: str, *keys: str) -> list[pl.Expr]:
        """The column as `alias` when the file has one of `keys`, else nothing (a currency
        column absent from an old export leaves the source's default_currency to apply)."""
        return [self.text(*keys).alias(alias)] if self.name(*keys) is not None else []

    def provider_columns(self) -> list[pl.Expr]:
        """Every column of the file, kept as `x_<header>`."""
        return [pl.col(n).alias(f"x_{clean_header(n)}") for n in self.frame.columns if n != "_line"]


def _exact_type(dtype: pl.DataType) -> bool:
    return (isinstance(dtype, pl.Decimal) and (dtype.scale or 0) <= SCALE) or dtype.is_integer()


def iso_date(text: pl.Expr) -> pl.Expr:
    """`YYYY-MM-DD...` (ISO, kept), `M/D/YYYY` or `MM/DD/YYYY` (US, as Azure writes them) and
    `YYYYMM` (a billing month) as ISO text; null for anything else."""
    us = text.str.extract_groups(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\D|$)")
    us_date = pl.format(
        "{}-{}-{}",
        us.struct.field("3"),
        us.struct.field("1").str.zfill(2),
        us.struct.field("2").str.zfill(2),
    )
    compact = text.str.extract_groups(r"^(\d{4})(0[1-9]|1[0-2])$")
    return (
        pl.when(text.str.contains(r"^\d{4}-\d{2}"))
        .then(text)
        .when(us.struct.field("1").is_not_null())
        .then(us_date)
        .when(compact.struct.field("1").is_not_null())
        .then(pl.format("{}-{}-01", compact.struct.field("1"), compact.struct.field("2")))
        .otherwise(None)
    )


def tags_object(columns: Iterable[tuple[str, str]]) -> pl.Expr:
    """Tags as a JSON object text from (key, column) pairs, each column holding one tag's value;
    tags without a value are left out (null when a line has none)."""
    entries = []
    for key, name in columns:
        value = pl.col(name).cast(pl.String).str.strip_chars().replace("", None)
        # a struct of one field encodes the value as JSON: {"v":"..."} less its 5 first characters
        encoded = pl.struct(value.alias("v")).struct.json_encode().str.slice(5).str.strip_suffix("}")
        entries.append(pl.when(value.is_not_null()).then(pl.concat_str(pl.lit(_json_key(key)), encoded)))
    if not entries:
        return pl.lit(None, pl.String)
    body = pl.concat_str(entries, separator=",", ignore_nulls=True)
    return pl.when(body != "").then(pl.concat_str(pl.lit("{"), body, pl.lit("}"))).otherwise(None)


def _json_key(text: str) -> str:
    escaped = re.sub(r'(["\\])', r"\\\1", text)
    return f'"{escaped}":'


def line_problem(
    columns: Columns,
    *,
    month: tuple[pl.Expr, str],
    currency: tuple[str, ...],
    cost: tuple[str, ...],
    numbers: tuple[str, ...] = (),
) -> pl.Expr:
    """Why a line cannot be loaded, naming the provider's column: `month` is (the ISO date the
    month is taken from, the column(s) it came from), `currency` and `cost` the key candidates
    of those columns, `numbers` other number columns the line's figures come from."""
    month_value, month_label = month
    # a file without the column says so (the delivery gate holds a re-delivery lacking it as a
    # mandatory column missing), not as an empty cell
    absent = " (no such column)" if columns.name(*cost) is None else ""
    return pl.coalesce(
        pl.when(month_value.is_null()).then(pl.lit(f"{month_label}: missing or not a date")),
        pl.when(columns.text(*currency).is_null() & pl.lit(columns.name(*currency) is not None)).then(
            pl.lit(f"{columns.label(*currency)}: missing")
        ),
        columns.problems(*cost, *numbers),
        pl.when(columns.number(*cost).is_null()).then(pl.lit(f"{columns.label(*cost)}: missing{absent}")),
    )
