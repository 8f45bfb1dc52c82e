"""Exact decimals from whatever a provider wrote: plain strings, E-notation, floats, integers.

Every amount becomes Decimal(38, 18): 20 integer digits and 18 decimal places, enough for the
smallest provider cost seen (6.266090E-12 in an OCI export). A value that would need more places,
or does not fit, is reported as a problem rather than rounded: a rounded cost would break
conservation to the cent, silently.
"""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl

SCALE = 18
DECIMAL = pl.Decimal(38, SCALE)
INTEGER_DIGITS = 38 - SCALE
NUMBER = r"^[+-]?([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$"
"""A number as written: ASCII digits alone (`\\d` would take any script's, which Decimal reads too)."""
_WRITTEN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PLAIN = r"^[+-]?[0-9]{1,20}(?:\.[0-9]{1,18})?$"
"""A number `str.to_decimal` reads exactly into DECIMAL: the usual case, judged by this alone."""


def written_decimal(text: str) -> Decimal | None:
    """The number `text` writes in ASCII digits (blanks around it aside), exactly; None when it
    writes none: Decimal alone would also read `NaN`, `Infinity`, `1_000` and other scripts'
    digits, which the rows' own parsing refuses."""
    text = text.strip()
    return Decimal(text) if _WRITTEN.fullmatch(text) else None


def over_integer_digits(value: Decimal) -> bool:
    """Whether a finite number needs more integer digits than DECIMAL holds (20)."""
    return bool(value) and value.adjusted() >= INTEGER_DIGITS


def over_decimal_places(value: Decimal) -> bool:
    """Whether a finite number needs more decimal places than DECIMAL holds (18), its trailing
    zeros aside (1.50000000000000000000 fits). Read off its digits: no context rounds them."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # a finite number's
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return -(exponent + trailing_zeros) > SCALE


def parse_decimal(column: str, dtype: pl.DataType, label: str | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(value, problem) expressions for one column: the exact value (null when missing or
    invalid) and, for invalid values only, a reason such as "EffectiveCost: not a number: 'abc'"
    (`label` names the column in the reason when it is not `column` itself)."""
    raw = pl.col(column)
    name = pl.lit(label or column)
    if dtype.is_nested():  # a list or a struct in a Parquet file: no number to read in it
        nested = pl.when(raw.is_not_null()).then(pl.lit(f"{label or column}: not a number: a {dtype} value"))
        return pl.lit(None, DECIMAL), nested
    if (isinstance(dtype, pl.Decimal) and (dtype.scale or 0) <= SCALE) or dtype.is_integer():
        exact = raw.cast(DECIMAL, strict=False)  # null where over 20 integer digits
        overflow = pl.when(raw.is_not_null() & exact.is_null()).then(
            pl.format("{}: over 20 integer digits: '{}'", name, raw.cast(pl.String))
        )
        return exact, overflow
    # Floats and wide decimals go through their shortest text form, which is the value the
    # writer meant; strings are parsed as written.
    text = raw.cast(pl.String).str.strip_chars()
    problem = text.map_batches(
        lambda texts: _text_problems(texts, label or column), pl.String, is_elementwise=True
    )
    return pl.when(problem.is_null()).then(text.str.to_decimal(scale=SCALE)).otherwise(None), problem


def _text_problems(texts: pl.Series, label: str) -> pl.Series:
    """The problem of each text (null for a plain number, an empty text or a null): the full
    checks run on the distinct texts that are not plain numbers alone, which a bill has few of
    (judging every text with them took a quarter of a CSV month's time)."""
    odd = texts.filter(~texts.str.contains(_PLAIN).fill_null(True) & (texts != "")).unique()
    if odd.is_empty():
        return pl.repeat(None, texts.len(), dtype=pl.String, eager=True)
    judged = pl.DataFrame({"text": odd}).select(_problem(pl.col("text"), pl.lit(label)))
    return texts.replace_strict(odd, judged.to_series(), default=None, return_dtype=pl.String)


def _problem(text: pl.Expr, name: pl.Expr) -> pl.Expr:
    value = text.str.to_decimal(scale=SCALE)
    parts = text.str.extract_groups(NUMBER)
    fraction_digits = parts.struct.field("2").str.strip_chars_end("0").str.len_chars().fill_null(0)
    exponent = parts.struct.field("3").cast(pl.Int64, strict=False).fill_null(0)
    places_needed = fraction_digits.cast(pl.Int64) - exponent
    return (
        pl.when(text.is_null() | (text == ""))
        .then(None)
        .when(value.is_null() & text.str.contains(NUMBER) & text.str.contains("[0-9]"))
        .then(pl.format("{}: over 20 integer digits: '{}'", name, text))
        .when(value.is_null())
        .then(pl.format("{}: not a number: '{}'", name, text))
        .when(places_needed > SCALE)
        .then(pl.format("{}: more than {} decimal places: '{}'", name, pl.lit(SCALE), text))
        .otherwise(None)
    )
