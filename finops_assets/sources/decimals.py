"""Exact decimals from whatever a provider wrote: plain strings, E-notation, floats, integers.

Every amount becomes Decimal(38, 18): 20 integer digits and 18 decimal places, enough for the
smallest provider cost seen (6.266090E-12 in an OCI export). A value that would need more places,
or does not fit, is reported as a problem rather than rounded: a rounded cost would break
conservation to the cent, silently.
"""

from __future__ import annotations

import polars as pl

SCALE = 18
DECIMAL = pl.Decimal(38, SCALE)
_NUMBER = r"^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$"


def parse_decimal(column: str, dtype: pl.DataType, label: str | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(value, problem) expressions for one column: the exact value (null when missing or
    invalid) and, for invalid values only, a reason such as "EffectiveCost: not a number: 'abc'"
    (`label` names the column in the reason when it is not `column` itself)."""
    raw = pl.col(column)
    name = pl.lit(label or column)
    if (isinstance(dtype, pl.Decimal) and (dtype.scale or 0) <= SCALE) or dtype.is_integer():
        exact = raw.cast(DECIMAL, strict=False)  # null where over 20 integer digits
        overflow = pl.when(raw.is_not_null() & exact.is_null()).then(
            pl.format("{}: over 20 integer digits: '{}'", name, raw.cast(pl.String))
        )
        return exact, overflow
    # Floats and wide decimals go through their shortest text form, which is the value the
    # writer meant; strings are parsed as written.
    text = raw.cast(pl.String).str.strip_chars()
    value = text.str.to_decimal(scale=SCALE)
    parts = text.str.extract_groups(_NUMBER)
    fraction_digits = parts.struct.field("2").str.strip_chars_end("0").str.len_chars().fill_null(0)
    exponent = parts.struct.field("3").cast(pl.Int64, strict=False).fill_null(0)
    places_needed = fraction_digits.cast(pl.Int64) - exponent
    problem = (
        pl.when(text.is_null() | (text == ""))
        .then(None)
        .when(value.is_null() & text.str.contains(_NUMBER) & text.str.contains(r"\d"))
        .then(pl.format("{}: over 20 integer digits: '{}'", name, text))
        .when(value.is_null())
        .then(pl.format("{}: not a number: '{}'", name, text))
        .when(places_needed > SCALE)
        .then(pl.format("{}: more than {} decimal places: '{}'", name, pl.lit(SCALE), text))
        .otherwise(None)
    )
    return pl.when(problem.is_null()).then(value).otherwise(None), problem
