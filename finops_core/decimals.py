"""Exact amounts as text, for the batch's audit and the API alike."""

from __future__ import annotations

from decimal import Decimal


def plain_text(value: Decimal) -> str:
    """The decimal in plain notation, never E-notation: str(Decimal("2E-7")) is "2E-7", which
    clients and people misread, and provider costs go down to 6.266090E-12."""
    return format(value, "f")
