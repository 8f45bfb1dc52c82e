"""When a new delivery of a (source, month) may replace the loaded one (finops.yaml, per source:
`delivery:`). A delivery outside these rules is held: the month keeps its load, the attempt is
audited with the reason, and `finops materialize --accept-held` replaces it deliberately."""

from __future__ import annotations

import msgspec

from finops_core.errors import ConfigError
from finops_core.months import parse_month


class DeliveryRules(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    max_rejected_share: float = 0.1
    """Hold a delivery rejecting more than this share of its rows (0.1: one row in ten)."""
    max_total_factor: float = 10.0
    """Hold a delivery whose total, in a currency, is more than this many times the loaded one,
    or less than the loaded one divided by it (a currency gone counts as infinitely less)."""
    max_row_factor: float = 10.0
    """Hold a delivery with fewer rows than the loaded month kept divided by this (1,281 rows
    re-delivered as 10 replaced the month, its total in range or 0). More rows are no reason:
    the current month grows every day from its first fees."""
    empty_months: list[str] = msgspec.field(default_factory=list)
    """YYYY-MM months declared really empty (the source withdrawn): an empty delivery replaces
    them. Any other loaded month is never emptied by an empty delivery without --accept-held."""


DEFAULT_RULES = DeliveryRules()


def validate_delivery_rules(rules: DeliveryRules, where: str) -> None:
    if not 0 <= rules.max_rejected_share <= 1:
        raise ConfigError(f"{where}.max_rejected_share: expected a share between 0 and 1")
    for name in ("max_total_factor", "max_row_factor"):
        if not getattr(rules, name) > 1:
            raise ConfigError(f"{where}.{name}: expected a factor above 1, such as 10")
    for number, month in enumerate(rules.empty_months):
        try:
            parse_month(month)
        except ValueError as error:
            raise ConfigError(f"{where}.empty_months[{number}]: {error}") from None
