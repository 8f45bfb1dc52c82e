from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from finops_api.amounts import Amount
from finops_core.months import MONTH_PATTERN
from finops_core.vocabulary import SIMULATION_CODE_PATTERN

Month = Annotated[str, Meta(pattern=MONTH_PATTERN, description="A month, YYYY-MM", examples=["2026-01"])]


class PricingView(msgspec.Struct, frozen=True):
    code: str
    name: str
    kind: Literal["source", "derived", "rate_card", "simulation"]
    currency: str | None
    """Reporting currency; null keeps each line's own currency."""
    base_view: str | None
    """The view a simulation starts from; null for other kinds."""
    description: str | None


class PricingViewList(msgspec.Struct, frozen=True, omit_defaults=True):
    rows: list[PricingView]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class AdjustmentScope(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    level: Literal["domain", "family", "product", "application"]
    """Which code of a cost row the scope matches."""
    code: Annotated[str, Meta(min_length=1)]
    """The domain, family, product or application code."""


class Adjustment(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One change of a simulation, applied in list order to the base view's rows in its scope
    and months: percent: cost x (1 + value / 100); absolute: cost + quantity x value; price:
    quantity x value. Quantities never change; an unpriced row stays unpriced."""

    scope: AdjustmentScope
    from_: Month | None = msgspec.field(default=None, name="from")
    """First month the adjustment applies to, YYYY-MM (inclusive); null: from the start."""
    to: Month | None = None
    """Last month the adjustment applies to, YYYY-MM (inclusive); null: open-ended."""
    kind: Literal["percent", "absolute", "price"]
    value: Amount
    """An exact decimal string: a percentage (10 is +10%), an amount per unit, or a unit price."""


class SimulationCreate(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A simulation pricing view: a base view's valued costs with adjustments, evaluated on the fly."""

    code: Annotated[str, Meta(pattern=SIMULATION_CODE_PATTERN, examples=["sim-budget-2027-cloud-plus-10"])]
    """sim- then lower-case letters, digits, '.', '_' and '-', at most 63 characters; never reused.
    The prefix keeps the API's codes apart from those of the pricing files, which never take it:
    a simulation can never take a code the batch will need."""
    name: Annotated[str, Meta(min_length=1)]
    base_view: str
    """The pricing view the simulation starts from; not itself a simulation."""
    description: str | None = None
    adjustments: list[Adjustment] = []


class PricingViewDetail(PricingView, frozen=True):
    adjustments: list[Adjustment]
    """A simulation's adjustments in the order they apply; empty for other kinds."""
