from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from finops_api.amounts import Amount
from finops_api.pricing_views.schemas import Adjustment
from finops_api.publication.schemas import StaleMarked
from finops_core.months import PERIOD_PATTERN

AgainstPeriod = Literal["previous_month", "previous_quarter", "previous_year"]
"""The range a period is compared with: the same range moved back by 1, 3 or 12 months."""


class GroupKeys(msgspec.Struct, kw_only=True, omit_defaults=True, frozen=True):
    """The keys of one group: exactly the requested group keys (the others are omitted)."""

    month: str | None = None
    """YYYY-MM."""
    quarter: str | None = None
    """YYYY-Qn, e.g. 2026-Q1."""
    year: str | None = None
    """YYYY."""
    source: str | None = None
    application: str | None = None
    owner: str | None = None
    """The application's owner in the month reported ('' when it has none)."""
    domain: str | None = None
    family: str | None = None
    product: str | None = None
    currency: str
    """Always a key: amounts in different currencies are never added together (with
    in_currency, every row's is that currency, its amounts converted into it)."""


class CostRow(GroupKeys, kw_only=True, omit_defaults=True, frozen=True):
    """One group: its keys, then unit, quantity, units, cost and priced."""

    unit: str | None
    """The unit of the quantity; null when the group mixes units."""
    quantity: Amount | None
    """Exact decimal (a JSON string); null when the group mixes units."""
    units: list[str]
    """The units of the group's lines, sorted: one when unit and quantity are given, several when
    the group mixes units (its quantities are never summed across them)."""
    cost: Amount | None
    """Exact decimal (a JSON string); null when some row of the group has no price in the view."""
    priced: bool
    """False when some row of the group has no price in the view (and cost is then null)."""


class CostReport(StaleMarked, kw_only=True, frozen=True, omit_defaults=True):
    view: str
    from_: str | None = msgspec.field(name="from")
    """First month included, YYYY-MM; null when the view has no data and none was asked."""
    to: str | None
    """Last month included, YYYY-MM."""
    group_by: list[str]
    """The keys the rows are grouped and ordered by; currency is always among them."""
    in_currency: str | None = None
    """The currency every amount was converted into (the in_currency parameter); absent: each
    amount is in its own currency."""
    rows: list[CostRow]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class CompareRow(GroupKeys, kw_only=True, omit_defaults=True, frozen=True):
    """One group under both sides. A group found on one side only is still a row: the other
    side's figures are null (and its priced flag too)."""

    unit: str | None
    """The unit of the view's quantity; null when the view's group mixes units or is not there."""
    quantity: Amount | None
    """The view's quantity over the range, in `unit`; null when the view's group mixes units or
    is not there."""
    units: list[str]
    """The units of the view's lines in the group, sorted: several when it mixes them (quantity
    null), none when the group is on the against side only."""
    against_unit: str | None
    """The unit of the against side's quantity; null likewise. It may differ from `unit`: the
    two quantities are then not comparable, and no delta of quantity is ever given."""
    against_quantity: Amount | None
    """The against side's quantity, in `against_unit`: the same consumption under another view,
    or the against period's; null when that side's group mixes units or is not there."""
    against_units: list[str]
    """The units of the against side's lines in the group, sorted, like `units`."""
    cost: Amount | None
    """The view's cost; null when the group is not on this side or not fully priced."""
    against_cost: Amount | None
    """The against side's cost; null likewise."""
    delta: Amount | None
    """cost - against_cost; null when either is null."""
    ratio: Amount | None
    """cost / against_cost to 6 decimals; null when against_cost is 0 or null."""
    priced: bool | None
    """Whether every row of the group is priced in the view; null when the group is not there."""
    against_priced: bool | None
    """Likewise on the against side."""


class VarianceRow(GroupKeys, kw_only=True, omit_defaults=True, frozen=True):
    """One group's change of cost between the against period and the period, split so that
    volume + mix + price + fx + unsplit + new + retired = delta exactly. Every figure is null
    (priced false) when a product of the group is unpriced in either period."""

    cost: Amount | None
    """Cost over the period."""
    against_cost: Amount | None
    """Cost over the against period."""
    delta: Amount | None
    """cost - against_cost."""
    volume: Amount | None
    """The change of quantity at the old unit price, to 6 decimals: (Q1 - Q0) x C0 / Q0 over the
    products in both periods in one unit each when they share one unit, else the sum of the
    products' own. A quantity is never compared or added across units."""
    mix: Amount | None
    """The sum of the products' own volume effects minus volume: the shift between products of
    different unit prices (0 when the products cannot be added up)."""
    price: Amount | None
    """Per product in both periods in one unit each, its change of cost minus its volume effect,
    summed (converted, at the against months' exchange rates: their move is fx)."""
    fx: Amount | None
    """Converted into one currency (in_currency), what the exchange rates' move alone changed:
    the products in both periods at the period's rates less the same at the against months'
    rates; 0 when amounts are not converted."""
    unsplit: Amount | None
    """The change of cost of the products in both periods whose quantities cannot be compared (a
    different unit in each period, or several units in one): neither volume nor price."""
    new: Amount | None
    """The cost of the products found in the period only."""
    retired: Amount | None
    """Minus the cost of the products found in the against period only."""
    priced: bool
    """False when a product of the group is unpriced in either period."""


class Comparison(StaleMarked, kw_only=True, frozen=True):
    """What a compare or variance answer compares: the view over a range, against another view
    over the same range or the same view over the range moved back."""

    view: str
    against: str
    """The against side's pricing view: the `against` parameter, else the view itself."""
    against_period: AgainstPeriod | None
    """How far back the against side's range is moved; null when comparing two views."""
    from_: str | None = msgspec.field(name="from")
    """First month of the range, YYYY-MM; null when no side has data and none was asked."""
    to: str | None
    """Last month of the range, YYYY-MM."""
    against_from: str | None
    """First month of the against side's range."""
    against_to: str | None
    """Last month of the against side's range."""
    group_by: list[str]
    """The keys the rows are matched, grouped and ordered by; currency is always among them."""
    in_currency: str | None = None
    """The currency every amount was converted into (the in_currency parameter); absent: each
    amount is in its own currency."""


class CompareReport(Comparison, kw_only=True, frozen=True, omit_defaults=True):
    rows: list[CompareRow]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class VarianceReport(Comparison, kw_only=True, frozen=True, omit_defaults=True):
    rows: list[VarianceRow]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


Period = Annotated[
    str,
    Meta(pattern=PERIOD_PATTERN, description="A month YYYY-MM, a quarter YYYY-Qn or a year YYYY"),
]


class SimulationPreviewRequest(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Adjustments applied to a base view's costs without saving them: what a simulation with
    them would give, evaluated by the server from the read models."""

    base_view: str
    """The pricing view the adjustments apply to; not itself a simulation."""
    adjustments: list[Adjustment]
    """As in a simulation: applied in list order to the rows in their scope and months."""
    from_: Period | None = msgspec.field(default=None, name="from")
    """First period included; default: the base view's first month with data."""
    to: Period | None = None
    """Last period included; default: the base view's last month with data."""
    group_by: list[str] = msgspec.field(default_factory=lambda: ["family"])
    """Group keys, as /costs's group_by; currency is always added."""
    sort: Literal["keys", "delta_desc"] = "keys"
    """keys: rows in group_by's order; delta_desc: the largest change first in absolute value."""
    owner_as_of: Literal["month", "current"] = "month"
    """Which owner `owner` groups and filters by, as /costs's owner_as_of: the month's or today's."""


class SimulationPreview(StaleMarked, kw_only=True, frozen=True, omit_defaults=True):
    """Each group's cost under the adjustments (`cost`) beside its cost under the base view
    (`against_cost`), as /costs/compare gives them for a saved simulation against its base."""

    base_view: str
    from_: str | None = msgspec.field(name="from")
    to: str | None
    group_by: list[str]
    rows: list[CompareRow]
    next: str | None = None
    """The next page (path and query, the same body); absent on the last page."""
