"""Months as the platform's unit of time: `YYYY-MM` in text, the first day as a date."""

from __future__ import annotations

import re
from datetime import date

MONTH_PATTERN = r"^(\d{4})-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)


def parse_month(text: str) -> date:
    """`2025-03` -> date(2025, 3, 1); ValueError naming the expected form otherwise."""
    match = _MONTH.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a month; expected YYYY-MM, e.g. 2025-03")
    return date(int(match[1]), int(match[2]), 1)


def format_month(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
