from __future__ import annotations

import msgspec

from finops_api.amounts import Amount
from finops_api.publication.schemas import StaleMarked


class SourceCoverage(msgspec.Struct, kw_only=True, frozen=True):
    source: str
    currency: str
    mapped_cost: Amount
    """Cost attributed to an application by the source's mapping rules."""
    unallocated_cost: Amount
    """Cost no rule attributed, reported under the application `unallocated`."""
    total_cost: Amount
    """mapped_cost + unallocated_cost, exactly: the source's whole priced cost of the month."""
    unpriced_lines: int
    """Lines of the month with no actual price: their cost is in none of the figures above."""
    mapped_share: Amount | None
    """mapped_cost / total_cost to 6 decimals; null when the total is not positive."""


class MappingCoverage(StaleMarked, kw_only=True, frozen=True, omit_defaults=True):
    month: str
    rows: list[SourceCoverage]
    next: str | None = None
    """The next page (path and query); absent on the last page."""
