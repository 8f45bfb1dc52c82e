"""Google Cloud billing export rows (the BigQuery standard or detailed export saved as CSV with
flattened `a.b` names, as Parquet or as JSON lines) to FOCUS columns.

Parquet and JSON-lines exports' nested records are read under the same flattened names. The billing month is
`invoice.month` (YYYYMM), not the usage time: usage late on the last day
of a month may be invoiced with the next. Credits (free trial, committed use, sustained use
discounts...) are a list per row: BilledCost is the gross `cost`, EffectiveCost the net cost,
`cost` plus every credit amount (the default). Exports have written the credits and labels
lists as JSON and as Python literals (single quotes, None): both are read.
"""

from __future__ import annotations

import ast
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from finops_assets.sources.decimals import DECIMAL
from finops_assets.sources.native.columns import Columns, line_problem
from finops_assets.sources.native.reader import read_table

CHARGE_CATEGORIES = {"regular": "Usage", "tax": "Tax", "adjustment": "Credit", "rounding_error": "Adjustment"}
_AMOUNT = re.compile(r"""['"]amount['"]\s*:\s*([-+0-9.eE]+)""")


def _literal(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return ast.literal_eval(text)  # literals only: never code


def credits_total(text: str | None) -> Decimal:
    """The sum of the credit amounts of one `credits` cell, exactly as written."""
    return sum((Decimal(m) for m in _AMOUNT.findall(text or "")), Decimal(0))


def labels_object(*cells: str | None) -> str | None:
    """Labels (lists of {key, value}) as one JSON object; later cells win on a shared key."""
    merged: dict[str, str] = {}
    for cell in cells:
        if cell and cell.strip() not in ("", "[]"):
            value = _literal(cell)
            pairs = value.items() if isinstance(value, dict) else ((e["key"], e["value"]) for e in value)
            merged.update((str(k), str(v)) for k, v in pairs)
    return json.dumps(merged, ensure_ascii=False) if merged else None


def _per_distinct(raw: pl.DataFrame, names: list[str], function: Any, dtype: Any) -> pl.Expr:
    """`function` over each distinct combination of text columns (a month has few), mapped
    back onto the lines."""
    if not names:
        return pl.lit(function(), dtype)
    key = pl.concat_str([pl.col(n).cast(pl.String).fill_null("\x00") for n in names], separator="\x1f")
    distinct = raw.select(key.alias("k"), *[pl.col(n).cast(pl.String) for n in names]).unique("k")
    results = [function(*row[1:]) for row in distinct.iter_rows()]
    return key.replace_strict(distinct["k"], pl.Series(results, dtype=dtype), return_dtype=dtype)


def flattened(frame: pl.DataFrame) -> pl.DataFrame:
    """A Parquet or JSON-lines export's nested records under the flattened names a CSV export
    has: the struct `invoice` becomes `invoice.month`, and lists of records (credits, labels)
    their JSON text (a list empty on every line has no record type: `[]`)."""
    columns: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Struct):
            columns.extend(pl.col(name).struct.field(f.name).alias(f"{name}.{f.name}") for f in dtype.fields)
        else:
            columns.append(pl.col(name))
    flat = frame.select(columns)
    records = [n for n, t in flat.schema.items() if isinstance(t, pl.List) and isinstance(t.inner, pl.Struct)]
    empty = [n for n, t in flat.schema.items() if isinstance(t, pl.List) and t.inner == pl.Null]
    if any(isinstance(t, pl.Struct) for t in flat.schema.values()):
        return flattened(flat)
    return flat.with_columns(
        *(
            pl.concat_str(
                pl.lit("["),
                pl.col(n).list.eval(pl.element().struct.json_encode()).list.join(","),
                pl.lit("]"),
            ).alias(n)
            for n in records
        ),
        *(pl.when(pl.col(n).is_not_null()).then(pl.lit("[]")).alias(n) for n in empty),
    )


class GcpBilling:
    """The converter of Google Cloud billing exports (CSV, Parquet, JSON lines; CSV and JSON
    lines gzipped or not)."""

    def read(self, path: Path) -> pl.DataFrame:
        return flattened(read_table(path))

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        c = Columns(raw, str.lower)
        month = c.date("invoice.month")
        credits_name = c.name("credits")
        credits = _per_distinct(raw, [credits_name] if credits_name else [], credits_total, DECIMAL)
        label_names = [n for n in (c.name("project.labels"), c.name("labels")) if n is not None]
        return raw.select(
            "_line",
            *c.provider_columns(),
            month.alias("BillingPeriodStart"),
            c.text("usage_start_time").alias("ChargePeriodStart"),
            *c.optional("BillingCurrency", "currency"),
            c.number("cost").alias("BilledCost"),
            (c.decimal("cost") + credits).alias("EffectiveCost"),
            credits.alias("x_CreditsTotal"),
            c.number("usage.amount_in_pricing_units").alias("PricingQuantity"),
            c.text("usage.pricing_unit").alias("PricingUnit"),
            c.number("usage.amount").alias("ConsumedQuantity"),
            c.text("usage.unit").alias("ConsumedUnit"),
            c.text("cost_type")
            .replace_strict(CHARGE_CATEGORIES, default="Usage", return_dtype=pl.String)
            .alias("ChargeCategory"),
            pl.lit("Google Cloud").alias("ProviderName"),
            c.text("service.description").alias("ServiceName"),
            c.text("service.description").alias("ServiceCategory"),
            c.text("project.id").alias("SubAccountId"),
            pl.coalesce(c.text("location.region"), c.text("location.location")).alias("RegionId"),
            c.text("resource.global_name", "resource.name").alias("ResourceId"),
            c.text("sku.id").alias("SkuId"),
            c.text("sku.description").alias("ChargeDescription"),
            _per_distinct(raw, label_names, labels_object, pl.String).alias("Tags"),
            line_problem(
                c,
                month=(month, c.label("invoice.month")),
                currency=("currency",),
                cost=("cost",),
                numbers=("usage.amount",),
            ).alias("_problem"),
        )
