from __future__ import annotations

import msgspec

from finops_api.amounts import Amount


class CostRow(msgspec.Struct, kw_only=True, omit_defaults=True, frozen=True):
    """One group. A row carries exactly the requested group keys (the others are omitted), then
    unit, quantity, cost and priced."""

    month: str | None = None
    """YYYY-MM."""
    source: str | None = None
    application: str | None = None
    owner: str | None = None
    """The application's owner in the month reported ('' when it has none)."""
    domain: str | None = None
    family: str | None = None
    product: str | None = None
    currency: str
    """Always a key: amounts in different currencies are never added together."""
    unit: str | None
    """The unit of the quantity; null when the group mixes units."""
    quantity: Amount | None
    """Exact decimal (a JSON string); null when the group mixes units."""
    cost: Amount | None
    """Exact decimal (a JSON string); null when some row of the group has no price in the view."""
    priced: bool
    """False when some row of the group has no price in the view (and cost is then null)."""


class CostReport(msgspec.Struct, kw_only=True, frozen=True):
    view: str
    from_: str | None = msgspec.field(name="from")
    """First month included, YYYY-MM; null when the view has no data and none was asked."""
    to: str | None
    """Last month included, YYYY-MM."""
    group_by: list[str]
    """The keys the rows are grouped and ordered by; currency is always among them."""
    rows: list[CostRow]
