"""Exact amounts: their arithmetic, and their text for the batch's audit and the API alike."""

from __future__ import annotations

from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow

import msgspec

EXACT = Context(prec=100, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
"""The context of every sum of amounts in Python. A NUMERIC(38, 18) holds 38 digits and a month's
total more, where Python's default context keeps 28 and rounds the rest away without a word
(12345678901.5 + 0.000000000000000001 is 12345678901.50000000000000000 there); a sum that would
round even at 100 digits raises (Inexact) instead. A unary minus rounds in the default context
too: negate with copy_negate()."""
TOTALS = msgspec.json.Decoder(dict[str, Decimal])
"""Totals per currency or unit kept as JSON (the load audit's), as exact decimals, whether
written as strings or as numbers (psycopg's own JSON loader makes a number a float)."""


def exact_sum(*values: Decimal) -> Decimal:
    """The values added in EXACT: Decimal(0) for none."""
    total = Decimal(0)
    for value in values:
        total = EXACT.add(total, value)
    return total


def plain_text(value: Decimal) -> str:
    """The decimal in plain notation, never E-notation: str(Decimal("2E-7")) is "2E-7", which
    clients and people misread, and provider costs go down to 6.266090E-12."""
    return format(value, "f")


def exact_text(value: Decimal) -> str:
    """The decimal without trailing zeros and never in E-notation: 20.28022672899, 0, 1200 (in
    EXACT: the default context would round a 29th digit away)."""
    return plain_text(value.normalize(EXACT))
