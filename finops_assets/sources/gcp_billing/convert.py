"""Google Cloud billing export rows (the BigQuery standard or detailed export saved as CSV with
flattened `a.b` names, as Parquet or as JSON lines) to FOCUS columns.

Parquet and JSON-lines exports' nested records are read under the same flattened names. The billing month is
`invoice.month` (YYYYMM), not the usage time: usage late on the last day
of a month may be invoiced with the next. Credits (free trial, committed use, sustained use
discounts...) are a list per row: BilledCost is the gross `cost`, EffectiveCost the net cost,
`cost` plus every credit amount (the default). Exports have written the credits and labels
lists as JSON and as Python literals (single quotes, None): both are read, their numbers as
written. A cell that is neither, or not such a list, rejects its row naming its column: net
costs and applications are never guessed.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from finops_assets.sources.decimals import (
    DECIMAL,
    INTEGER_DIGITS,
    SCALE,
    over_decimal_places,
    over_integer_digits,
    written_decimal,
)
from finops_assets.sources.native.columns import Columns, line_problem
from finops_assets.sources.native.reader import not_a_json_number, read_table
from finops_core.decimals import EXACT

CHARGE_CATEGORIES = {"regular": "Usage", "tax": "Tax", "adjustment": "Credit", "rounding_error": "Adjustment"}


_PYTHON_TOKENS = re.compile(r"""'([^'"\\]*)'|\b(None|True|False)\b""")
_JSON_WORDS = {"None": "null", "True": "true", "False": "false"}


def _json_form(text: str) -> str | None:
    """A Python literal of the usual shape (single-quoted strings without quotes or escapes in
    them, None) as JSON text, which json reads several times faster than ast parses it: a month
    may have as many distinct credits cells as lines. None when a string could hold a quote."""
    if '"' in text or "\\" in text:
        return None
    return _PYTHON_TOKENS.sub(lambda m: f'"{m[1]}"' if m[1] is not None else _JSON_WORDS[m[2]], text)


def _literal(text: str) -> Any:
    """A JSON or Python literal, its numbers as Decimal read from their text (as floats they
    would be rounded); ValueError when the text is neither."""
    for candidate in (text, _json_form(text)):
        # the JSON form of a Python literal is valid JSON only where both mean the same
        try:
            if candidate is not None:
                return json.loads(
                    candidate, parse_float=Decimal, parse_int=Decimal, parse_constant=not_a_json_number
                )
        except (ValueError, RecursionError):
            pass
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")  # parsed, never run
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise ValueError(str(error)) from None
    return _python_value(tree.body, source)


def _python_value(node: ast.expr, source: str) -> Any:
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str | bool)):
        return node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        try:
            return Decimal(ast.get_source_segment(source, node) or "")
        except InvalidOperation:
            raise ValueError("not a decimal number") from None  # 0x10, 0o7
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
    ):
        value = _python_value(node.operand, source)
        if isinstance(value, Decimal):
            return value.copy_negate() if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.List | ast.Tuple):
        return [_python_value(element, source) for element in node.elts]
    if isinstance(node, ast.Dict) and all(key is not None for key in node.keys):  # None: a `**` entry
        keys = [_python_value(key, source) for key in node.keys if key is not None]
        if not any(isinstance(key, list | dict) for key in keys):  # unhashable
            return dict(zip(keys, (_python_value(value, source) for value in node.values), strict=True))
    raise ValueError("not a literal")


def _amount(value: Any) -> Decimal | str:
    """A credit's amount, else why it is not one."""
    if isinstance(value, str) and (written := written_decimal(value)) is not None:  # a quoted amount
        value = written
    if value is None:
        return "amount missing"
    if not isinstance(value, Decimal):
        return f"amount not a number: {value!r}"
    if over_integer_digits(value):
        return f"amount over {INTEGER_DIGITS} integer digits: '{value}'"
    if over_decimal_places(value):
        return f"amount with more than {SCALE} decimal places: '{value}'"
    return value


def credits_total(label: str, cell: str | None) -> tuple[Decimal | None, str | None]:
    """The sum of the credit amounts of one `credits` cell, exactly as written, else (None, why
    the cell is not a list of credits, each with an amount, naming the column `label`)."""
    if cell is None or not cell.strip():
        return Decimal(0), None
    try:
        credits = _literal(cell)
    except ValueError:
        return None, f"{label}: not a JSON or Python list: '{cell}'"
    if not isinstance(credits, list) or not all(isinstance(c, dict) and "amount" in c for c in credits):
        return None, f"{label}: not a list of credits, each with an amount: '{cell}'"
    total = Decimal(0)
    for credit in credits:
        amount = _amount(credit["amount"])
        if isinstance(amount, str):
            return None, f"{label}: {amount}"
        total = EXACT.add(total, amount)
    if over_integer_digits(total):
        return None, f"{label}: credits over {INTEGER_DIGITS} integer digits in total: '{total}'"
    return total, None


def labels_object(cells: Sequence[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """Labels (lists of {key, value}, or one object) as one JSON object, later cells winning on
    a shared key, a label without a value left out (as a tag without one is); else (None, why a
    cell is not labels, naming its column). The cells are (column label, cell) pairs."""
    merged: dict[str, str] = {}
    for label, cell in cells:
        if cell is None or cell.strip() in ("", "[]"):
            continue
        try:
            value = _literal(cell)
        except ValueError:
            return None, f"{label}: not a JSON or Python list: '{cell}'"
        pairs = _label_pairs(value)
        if pairs is None:
            return None, f"{label}: not a list of labels, each with a key and a value: '{cell}'"
        merged.update((key, value) for key, value in pairs if value is not None)
    return (json.dumps(merged, ensure_ascii=False) if merged else None), None


def _label_pairs(labels: Any) -> list[tuple[str, str | None]] | None:
    """The (key, value) pairs of a cell's labels; None when they are not labels."""
    if isinstance(labels, dict):
        labels = [{"key": key, "value": value} for key, value in labels.items()]
    if not isinstance(labels, list):
        return None
    pairs: list[tuple[str, str | None]] = []
    for entry in labels:
        if not isinstance(entry, dict) or not entry.keys() >= {"key", "value"}:
            return None
        key, value = entry["key"], entry["value"]
        if not isinstance(key, str | Decimal) or not isinstance(value, str | Decimal | bool | None):
            return None
        pairs.append((str(key), None if value is None else str(value)))
    return pairs


def _per_distinct(
    raw: pl.DataFrame,
    cells: list[pl.Expr],
    function: Callable[..., tuple[Any, str | None]],
    dtype: pl.DataType,
) -> pl.Expr:
    """`function` over each distinct combination of text cells (labels repeat a lot), mapped back
    onto the lines: a struct of its `value` (of `dtype`) and its `problem`."""
    result = pl.Struct({"value": dtype, "problem": pl.String})
    key = pl.concat_str([cell.fill_null("\x00") for cell in cells], separator="\x1f")
    distinct = raw.select(key.alias("k"), *(cell.alias(f"c{i}") for i, cell in enumerate(cells))).unique("k")
    if distinct.height == 0:
        # replace_strict over no rows would return its input's type, text, not `result`
        return pl.lit(None, result)
    results = [dict(zip(result.to_schema(), function(*row[1:]), strict=True)) for row in distinct.iter_rows()]
    return key.replace_strict(distinct["k"], pl.Series(results, dtype=result), return_dtype=result)


_LIST_CELLS = frozenset({"credits", "labels", "project.labels"})
"""The cells that hold a list of records (read as JSON text), whatever an export nests there."""


def flattened(frame: pl.DataFrame) -> pl.DataFrame:
    """A Parquet or JSON-lines export's nested records under the flattened names a CSV export
    has: the struct `invoice` becomes `invoice.month`, and lists (credits, labels) their JSON
    text, whatever their elements (a list of numbers where records belong is then rejected as
    a CSV cell would be, not a column the conversion cannot read as text)."""
    columns: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Struct) and name.lower() in _LIST_CELLS:
            # one credit or label where a list belongs: its JSON text, which the conversion
            # rejects for credits (flattened, it named no `credits` column: net silently gross)
            columns.append(pl.col(name).struct.json_encode())
        elif isinstance(dtype, pl.Struct):
            columns.extend(pl.col(name).struct.field(f.name).alias(f"{name}.{f.name}") for f in dtype.fields)
        else:
            columns.append(pl.col(name))
    flat = frame.select(columns)
    if any(isinstance(t, pl.Struct) for t in flat.schema.values()):
        return flattened(flat)
    lists = [n for n, t in flat.schema.items() if isinstance(t, pl.List)]
    # a list is encoded as the one field of a struct, `{"v":[...]}`, less its first 5 characters
    # and its closing brace: this encodes a list empty on every line (of no element type) too
    return flat.with_columns(
        pl.when(pl.col(n).is_not_null())
        .then(pl.struct(pl.col(n).alias("v")).struct.json_encode().str.slice(5).str.strip_suffix("}"))
        .alias(n)
        for n in lists
    )


class GcpBilling:
    """The converter of Google Cloud billing exports (CSV, Parquet, JSON lines; CSV and JSON
    lines gzipped or not)."""

    def read(self, path: Path) -> pl.DataFrame:
        return flattened(read_table(path))

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        c = Columns(raw, str.lower)
        month = c.date("invoice.month")
        credits = _per_distinct(raw, [c.raw("credits")], partial(credits_total, c.label("credits")), DECIMAL)
        label_columns = [c.label("project.labels"), c.label("labels")]
        labels = _per_distinct(
            raw,
            [c.raw("project.labels"), c.raw("labels")],
            lambda *cells: labels_object(list(zip(label_columns, cells, strict=True))),
            pl.String(),
        )
        credit_total = credits.struct.field("value")
        # a row whose credits cannot be read is rejected: its gross cost is what is counted
        # as rejected, its net cost being unknown
        net = c.decimal("cost") + credit_total.fill_null(pl.lit(0, DECIMAL))
        return raw.select(
            "_line",
            *c.provider_columns(),
            month.alias("BillingPeriodStart"),
            c.text("usage_start_time").alias("ChargePeriodStart"),
            *c.optional("BillingCurrency", "currency"),
            c.number("cost").alias("BilledCost"),
            net.alias("EffectiveCost"),
            credit_total.alias("x_CreditsTotal"),
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
            labels.struct.field("value").alias("Tags"),
            pl.coalesce(
                line_problem(
                    c,
                    month=(month, c.label("invoice.month")),
                    currency=("currency",),
                    cost=("cost",),
                    numbers=("usage.amount",),
                ),
                credits.struct.field("problem"),
                labels.struct.field("problem"),
            ).alias("_problem"),
        )
