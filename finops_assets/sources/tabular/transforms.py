"""A mapped field's value: a column's text (or a constant) put through its transforms.

Transforms run in order on the stripped text: `rename` (a map; values not listed are kept),
`regex` (the pattern's one group; null when it does not match), `lower`, `upper`, `default`
(the value for a null or empty one). An empty result is null.
"""

from __future__ import annotations

import polars as pl

from finops_core.tabular import FieldSpec, Transform


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


def column_text(frame: pl.DataFrame, column: str | None) -> pl.Expr:
    """The column as stripped text, null when empty or when the file has no such column."""
    if column is None or column not in frame.columns:
        return pl.lit(None, pl.String)
    return _blank_to_null(pl.col(column).cast(pl.String).str.strip_chars())


def apply_transform(expr: pl.Expr, transform: Transform) -> pl.Expr:
    if transform.rename is not None:
        return expr.replace(transform.rename)
    if transform.regex is not None:
        return expr.str.extract(transform.regex, 1)
    if transform.lower:
        return expr.str.to_lowercase()
    if transform.upper:
        return expr.str.to_uppercase()
    assert transform.default is not None
    return pl.when(expr.is_null() | (expr == "")).then(pl.lit(transform.default)).otherwise(expr)


def field_text(frame: pl.DataFrame, spec: FieldSpec) -> pl.Expr:
    """The field's text value after its transforms; null when empty."""
    if spec.constant is not None:
        expr = pl.lit(spec.constant_text, pl.String)
    else:
        expr = column_text(frame, spec.column)
    for transform in spec.transforms:
        expr = _blank_to_null(apply_transform(expr, transform).str.strip_chars())
    return expr


def field_number(frame: pl.DataFrame, spec: FieldSpec) -> tuple[pl.Expr, pl.DataType]:
    """A numeric field as parse_decimal wants it: the column itself with its own type (typed
    Parquet decimals stay exact) when nothing transforms it, else the transformed text."""
    if spec.column is not None and not spec.transforms and spec.column in frame.columns:
        return pl.col(spec.column), frame.schema[spec.column]
    return field_text(frame, spec), pl.String()
