"""Query-parameter conventions shared by the endpoints."""

from __future__ import annotations

from finops_api.amounts import AMOUNT_PATTERN
from finops_core.months import MONTH_PATTERN, PERIOD_PATTERN
from finops_core.vocabulary import SIMULATION_CODE_PATTERN

# The patterns are declared on the parameters so that the OpenAPI schema documents them and
# Litestar rejects malformed values before the handler runs.

PATTERN_FORMS: dict[str, str] = {
    MONTH_PATTERN: "a month as YYYY-MM, e.g. 2025-03",
    AMOUNT_PATTERN: 'a decimal number as a string in plain notation, e.g. "10" or "-2.5"',
    PERIOD_PATTERN: "a month as YYYY-MM, a quarter as YYYY-Qn or a year as YYYY, e.g. 2025-03, 2025-Q1, 2025",
    SIMULATION_CODE_PATTERN: "sim- then lower-case letters, digits, '.', '_' or '-' (at most 63 characters), "
    "e.g. sim-budget-2027",
}
"""What each parameter pattern means, for error messages: a regex is no answer to a person."""


def split_list(value: str | None) -> list[str]:
    """`a, b,,c` -> [a, b, c]: comma-separated lists, blanks ignored, order kept, no duplicates."""
    if value is None:
        return []
    items = (item.strip() for item in value.split(","))
    return list(dict.fromkeys(item for item in items if item))
