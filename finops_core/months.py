"""Months as the platform's unit of time: `YYYY-MM` in text, the first day as a date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

# Years from 1000: year 0 is no date, and a period moved back a year must still be one.
MONTH_PATTERN = r"^([1-9]\d{3})-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)


def parse_month(text: str) -> date:
    """`2025-03` -> date(2025, 3, 1); ValueError naming the expected form otherwise."""
    match = _MONTH.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a month; expected YYYY-MM, e.g. 2025-03")
    return date(int(match[1]), int(match[2]), 1)


def current_month(today: date | None = None) -> date:
    """The month under way, by UTC, as the month partitions count it (`today` for tests)."""
    return (today or datetime.now(UTC).date()).replace(day=1)


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


PERIOD_PATTERN = r"^([1-9]\d{3})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$"
"""A month (`2025-03`), a quarter (`2025-Q1`) or a year (`2025`)."""
_PERIOD = re.compile(PERIOD_PATTERN)


def period_months(text: str) -> tuple[date, date]:
    """The first and last months of a period: `2025-03` -> (March, March), `2025-Q2` -> (April,
    June), `2025` -> (January, December); ValueError naming the expected forms otherwise."""
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a period; expected YYYY-MM, YYYY-Qn or YYYY")
    year = int(match[1])
    if match[2] is not None:
        first = date(year, int(match[2]), 1)
        return first, first
    if match[3] is not None:
        first = date(year, 3 * int(match[3]) - 2, 1)
        return first, add_months(first, 2)
    return date(year, 1, 1), date(year, 12, 1)
