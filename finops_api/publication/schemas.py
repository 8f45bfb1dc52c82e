from __future__ import annotations

import msgspec


class StaleMonth(msgspec.Struct, frozen=True):
    """A month whose layers disagree: a run stopped between its steps, so the read models may
    hold two loads at once (a total by month and its split by product can differ). Materialize
    the month again to publish it whole."""

    month: str
    """YYYY-MM."""
    reason: str
    """Which layers are behind the month's consumption."""


class StaleMarked(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """An answer over months, which names those of them a stopped run left half-published."""

    stale_months: list[StaleMonth] = msgspec.field(default_factory=list)
    """The months of the answer whose layers disagree (a run stopped between its steps): their
    figures may mix two loads; absent when every month is published whole."""
