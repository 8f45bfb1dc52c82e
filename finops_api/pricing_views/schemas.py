from __future__ import annotations

from typing import Literal

import msgspec


class PricingView(msgspec.Struct, frozen=True):
    code: str
    name: str
    kind: Literal["source", "derived", "rate_card", "simulation"]
    currency: str | None
    """Reporting currency; null keeps each line's own currency."""
    base_view: str | None
    """The view a simulation starts from; null for other kinds."""
    description: str | None


class PricingViewList(msgspec.Struct, frozen=True):
    rows: list[PricingView]
