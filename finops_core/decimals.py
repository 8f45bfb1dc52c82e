"""Exact amounts as text, for the batch's audit and the API alike."""

from __future__ import annotations

from decimal import Decimal


def plain_text(value: Decimal) -> str:
    """The decimal in plain notation, never E-notation: str(Decimal("2E-7")) is "2E-7", which
    clients and people misread, and provider costs go down to 6.266090E-12."""
    return format(value, "f")


def exact_text(value: Decimal) -> str:
    """The decimal without trailing zeros and never in E-notation: 20.28022672899, 0, 1200."""
    return plain_text(value.normalize())
