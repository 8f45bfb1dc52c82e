"""Months as hand-written files declare them: a month, or a validity range of months."""

from __future__ import annotations

from datetime import date

from finops_core.config import ConfigError
from finops_core.months import add_months, parse_month

ALWAYS = date(1900, 1, 1)
"""The first month of a range declared without `from`, as the dimensions' first versions use."""


def declared_month(text: str | None, where: str) -> date:
    if text is None:  # an empty CSV cell: 'None' is not a month said nothing useful
        raise ConfigError(f"{where}: empty; expected YYYY-MM, e.g. 2025-03")
    try:
        return parse_month(str(text))
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def declared_range(first: str | None, last: str | None, where: str) -> tuple[date, date | None]:
    """`from`/`to` (both included, either absent) as (valid_from, valid_to exclusive or None)."""
    start = declared_month(first, f"{where}.from") if first is not None else ALWAYS
    end = declared_month(last, f"{where}.to") if last is not None else None
    if end is not None and end < start:
        raise ConfigError(f"{where}.to: {last} is before from ({first})")
    return start, add_months(end, 1) if end is not None else None
