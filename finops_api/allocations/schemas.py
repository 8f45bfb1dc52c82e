from __future__ import annotations

import msgspec

from finops_api.amounts import Amount
from finops_api.publication.schemas import StaleMarked


class ViewCost(msgspec.Struct, frozen=True):
    view: str
    currency: str
    cost: Amount | None
    """The share valued in that view; null when the view has no price for it."""


class AllocationShare(msgspec.Struct, kw_only=True, frozen=True):
    """One pool's share for the application: quantity = pool_quantity x weight / total_weight,
    and cost = pool_cost x the same share, both rounded by the largest remainder method so that
    all applications' shares sum to the pool exactly."""

    source: str
    product: str
    unit: str
    currency: str
    """The currency of the pool's reported cost."""
    rule: str
    method: str
    """even, fixed, driver or proportional."""
    driver: str | None
    """The allocation key of a driver rule."""
    scope_level: str | None
    scope_code: str | None
    """What the rule applies to: a product, family or domain."""
    weight: Amount
    total_weight: Amount
    share: Amount
    """weight / total_weight, to 10 decimals (the shares themselves are exact)."""
    pool_quantity: Amount
    pool_cost: Amount
    quantity: Amount
    cost: Amount
    """The share of the pool's reported cost (the actual view)."""
    costs: list[ViewCost]
    """The share's cost in every pricing view the batch values."""


class AllocationExplanation(StaleMarked, kw_only=True, frozen=True, omit_defaults=True):
    application: str
    month: str
    rows: list[AllocationShare]
    has_cost: bool
    """Whether the application has any cost in the month under `actual` (of the product, when
    asked for one): without rows, true means all its costs are direct, false that it has none
    (or is not one the caller sees)."""
