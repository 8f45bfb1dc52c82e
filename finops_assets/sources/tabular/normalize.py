"""From tabular records to consumption lines: month, application, product, quantity, cost.

Every record ends in exactly one of the two frames: the lines, or the rejects with the column
at fault and the reason; or, when the source declares row filters, it is filtered: counted
(rows, cost per currency, quantity per unit) but neither loaded nor rejected. Nothing is
dropped unseen. The normalised values are added to the lines as `_`-prefixed columns
(`_application`, `_product`, ...), beside the record's own columns, which an export may well
name `month` or `cost` itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from finops_assets.landing import FACT_KEYS, PRODUCT_COLUMNS
from finops_assets.sources.decimals import DECIMAL, parse_decimal
from finops_assets.sources.files import READ_PROBLEM
from finops_assets.sources.monthly import exact_totals
from finops_assets.sources.tabular.filters import kept_records
from finops_assets.sources.tabular.reader import UNREADABLE, month_expr
from finops_assets.sources.tabular.transforms import column_text, field_number, field_text
from finops_core.config import RowFilters
from finops_core.tabular import FieldSpec, TabularMapping
from finops_core.vocabulary import CURRENCY_PATTERN, UNALLOCATED

# The lines' normalised columns, in the order of the facts' keys, then the measures.
NORMALISED_COLUMNS = (
    "_month", "_application", "_product", "_sub_account", "_region", "_currency", "_unit",
    "_quantity", "_cost",
)  # fmt: skip
_FACT_SOURCES = dict(zip(NORMALISED_COLUMNS[1:7], FACT_KEYS, strict=True))


@dataclass(frozen=True)
class TabularMonth:
    lines: pl.DataFrame
    rejects: pl.DataFrame
    source_cost: dict[str, Decimal]
    rejected_cost: dict[str, Decimal]
    source_quantity: dict[str, Decimal]
    rejected_quantity: dict[str, Decimal]
    rows_filtered: int = 0
    filtered_cost: dict[str, Decimal] = field(default_factory=dict)
    filtered_quantity: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class _Check:
    column: str | pl.Expr
    failed: pl.Expr
    reason: pl.Expr


def _label(spec: FieldSpec, field: str) -> str:
    return spec.column if spec.column is not None else field


def _missing(frame: pl.DataFrame, spec: FieldSpec, field: str) -> pl.Expr:
    label = _label(spec, field)
    if spec.column is not None and spec.column not in frame.columns:
        return pl.lit(f"{label}: missing (no such column)")
    raw = column_text(frame, spec.column) if spec.column is not None else pl.lit(spec.constant_text)
    return (
        pl.when(raw.is_null())
        .then(pl.lit(f"{label}: missing"))
        .otherwise(pl.format("{}: empty after transforms: '{}'", pl.lit(label), raw))
    )


def _number(frame: pl.DataFrame, spec: FieldSpec, field: str, work: str) -> tuple[pl.Expr, pl.Expr, _Check]:
    """(input, value, check) of a numeric field, whose input is in the column `work`."""
    source, dtype = field_number(frame, spec)
    value, problem = parse_decimal(work, dtype, _label(spec, field))
    missing = value.is_null() & problem.is_null()
    check = _Check(
        _label(spec, field),
        missing | problem.is_not_null(),
        pl.when(missing).then(_missing(frame, spec, field)).otherwise(problem),
    )
    return source, value, check


def unit_pairs(
    raw: pl.DataFrame, mapping: TabularMapping, filters: RowFilters | None = None
) -> pl.DataFrame | None:
    """The distinct (product, unit) pairs of the records the filters keep, `p` and `u`, when
    the unit is read from the records (None otherwise): what `_several_units` judges a month by."""
    if not isinstance(mapping.unit, FieldSpec):
        return None
    kept = raw if filters is None else raw.filter(kept_records(raw, filters))
    product, unit = field_text(kept, mapping.product), field_text(kept, mapping.unit)
    return kept.select(product.alias("p"), unit.alias("u")).drop_nulls().unique()


def _several_units(pairs: pl.DataFrame, product: pl.Expr, unit: pl.Expr, label: str) -> _Check:
    """A product whose lines come in several units this month (`pairs`: the month's distinct
    products and units): its quantities cannot be one product's (GB and Requests are never
    added up), so its lines are rejected, naming them."""
    mixed = pairs.group_by("p").agg(pl.col("u").sort().str.join(", ")).filter(pl.col("u").str.contains(", "))
    units = product.replace_strict(mixed["p"], mixed["u"], default=None, return_dtype=pl.String)
    return _Check(
        label,
        units.is_not_null(),
        pl.format(
            "{}: product '{}' comes in several units ({}); give each unit its own product",
            pl.lit(label),
            product,
            units,
        ),
    )


def normalize_tabular(
    raw: pl.DataFrame,
    mapping: TabularMapping,
    filters: RowFilters | None = None,
    month_units: pl.DataFrame | None = None,
) -> TabularMonth:
    """`raw` holds the records plus `_file`, `_line` and `_month` (the partition month the rows
    were read for). Rejects carry `_file`, `_line`, `column`, `reason` and the record's columns.
    Records the filters drop are checked for nothing: they are not the source's (the filters'
    columns are checked against the month's files first: `check_filter_columns`).
    `month_units`: the month's `unit_pairs` when `raw` is one batch of it (default: raw's own)."""
    kept = None if filters is None else raw.select(kept_records(raw, filters)).to_series()
    checks: list[_Check] = []
    if READ_PROBLEM in raw.columns:  # what reading found: a month outside the partitions, a NUL
        problem = pl.col(READ_PROBLEM)
        checks.append(_Check(problem.str.extract(r"^(.+?): "), problem.is_not_null(), problem))
    if UNREADABLE in raw.columns:
        text = pl.col(UNREADABLE)
        checks.append(
            _Check(
                UNREADABLE,
                text.is_not_null(),
                pl.format("{}: not a JSON object: '{}'", pl.lit(UNREADABLE), text),
            )
        )
    if mapping.month.column is not None:
        column = mapping.month.column
        text = column_text(raw, column)
        checks.append(
            _Check(
                column,
                month_expr(raw, column).is_null(),
                pl.when(text.is_null())
                .then(pl.lit(f"{column}: missing"))
                .otherwise(pl.format("{}: not a date: '{}'", pl.lit(column), text)),
            )
        )
    product = field_text(raw, mapping.product)
    checks.append(
        _Check(
            _label(mapping.product, "product"), product.is_null(), _missing(raw, mapping.product, "product")
        )
    )
    quantity_in, quantity, quantity_check = _number(raw, mapping.quantity, "quantity", "__quantity_in")
    checks.append(quantity_check)
    if mapping.cost is not None:
        cost_in, cost, cost_check = _number(raw, mapping.cost, "cost", "__cost_in")
        checks.append(cost_check)
    else:
        cost_in, cost = pl.lit(None, pl.String), pl.lit(Decimal(0), DECIMAL)
    if isinstance(mapping.currency, FieldSpec):
        currency = field_text(raw, mapping.currency).str.to_uppercase()
        label = _label(mapping.currency, "currency")
        checks.append(_Check(label, currency.is_null(), _missing(raw, mapping.currency, "currency")))
        checks.append(
            _Check(
                label,
                ~currency.str.contains(CURRENCY_PATTERN),
                pl.format("{}: not an ISO 4217 code: '{}'", pl.lit(label), currency),
            )
        )
    else:
        currency = pl.lit(mapping.currency, pl.String)
    if isinstance(mapping.unit, FieldSpec):
        unit = field_text(raw, mapping.unit)
        checks.append(
            _Check(_label(mapping.unit, "unit"), unit.is_null(), _missing(raw, mapping.unit, "unit"))
        )
        # only kept records have to agree on a product's unit
        pairs = month_units if month_units is not None else unit_pairs(raw, mapping, filters)
        assert pairs is not None
        checks.append(_several_units(pairs, product, unit, _label(mapping.unit, "unit")))
    else:
        unit = pl.lit(mapping.unit, pl.String)

    def optional(spec: FieldSpec | None) -> pl.Expr:
        return pl.lit("") if spec is None else field_text(raw, spec).fill_null("")

    application = field_text(raw, mapping.application)
    staged = raw.with_columns(
        quantity_in.alias("__quantity_in"),
        cost_in.alias("__cost_in"),
        unit.alias("_unit"),
        currency.alias("_currency"),
    )
    checked = staged.with_columns(
        pl.coalesce(*(pl.when(c.failed).then(c.reason) for c in checks)).alias("__reason"),
        pl.coalesce(
            *(
                pl.when(c.failed).then(pl.lit(c.column) if isinstance(c.column, str) else c.column)
                for c in checks
            )
        ).alias("__column"),
        application.fill_null(UNALLOCATED).alias("_application"),
        product.alias("_product"),
        optional(mapping.sub_account).alias("_sub_account"),
        optional(mapping.region).alias("_region"),
        quantity.alias("_quantity"),
        cost.alias("_cost"),
    )
    rejected = checked["__reason"].is_not_null()
    if kept is not None:
        rejected = rejected & kept
        filtered = checked.filter(~kept)
        checked_kept = ~rejected & kept
    else:
        filtered, checked_kept = checked.clear(), ~rejected
    rejects = checked.filter(rejected)
    record = [c for c in raw.columns if c != READ_PROBLEM]
    valid = checked.filter(checked_kept)
    quantities = pl.col("_unit").alias("key"), pl.col("__quantity_in").alias("value")
    costs = pl.col("_currency").alias("key"), pl.col("__cost_in").alias("value")
    has_cost = mapping.cost is not None
    return TabularMonth(
        lines=valid.select(*record, *NORMALISED_COLUMNS[1:]),
        rejects=rejects.select(
            # the reject's own `column` and `reason` win; a record's columns of those names keep
            # their values under `column_` and `reason_`
            *(pl.col(c).alias(f"{c}_") if c in ("column", "reason") else pl.col(c) for c in record),
            pl.col("__column").alias("column"),
            pl.col("__reason").alias("reason"),
        ),
        source_cost=exact_totals(checked.select(costs)) if has_cost else {},
        rejected_cost=exact_totals(rejects.select(costs)) if has_cost else {},
        source_quantity=exact_totals(checked.select(quantities)),
        rejected_quantity=exact_totals(rejects.select(quantities)),
        rows_filtered=filtered.height,
        filtered_cost=exact_totals(filtered.select(costs)) if has_cost else {},
        filtered_quantity=exact_totals(filtered.select(quantities)),
    )


def tabular_facts(lines: pl.DataFrame, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(facts, products): the lines aggregated to the fact grain, and the products they use."""
    facts = line_facts(lines)
    return facts, tabular_products(facts, source)


def line_facts(lines: pl.DataFrame) -> pl.DataFrame:
    """The lines aggregated to the fact grain."""
    return (
        # the record's own columns may be called `currency` or `unit`: only the normalised
        # ones become the fact keys
        lines.select(NORMALISED_COLUMNS[1:])
        .rename(_FACT_SOURCES)
        .group_by(FACT_KEYS)
        .agg(
            pl.col("_quantity").sum().alias("quantity"),
            pl.col("_cost").sum().alias("source_cost"),
            pl.len().cast(pl.Int64).alias("line_count"),
        )
        .sort(FACT_KEYS)
    )


def tabular_products(facts: pl.DataFrame, source: str) -> pl.DataFrame:
    """The products the facts use. A product the catalog does not declare is registered under
    a family named after the source with its code as its name, for the catalog owner to
    declare."""
    return (
        facts.select("product_code", "unit")
        .unique()
        .sort("product_code", "unit")
        .unique(subset=["product_code"], keep="first", maintain_order=True)
        .with_columns(
            pl.col("product_code").alias("product_name"),
            pl.lit(source).alias("family_code"),
            pl.lit(source).alias("family_name"),
            pl.lit(False).alias("is_monetary"),
        )
        .select(PRODUCT_COLUMNS)
    )
