"""What a costs request reads: its query (keys, filters, owner, the caller's sight, the currency
amounts are converted into) and its sides, each one pricing view over a month range
(finops_api/costs/statements.py composes their SQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from psycopg import sql

from finops_api.costs.read_models import GROUP_KEYS

FILTER_KEYS: tuple[str, ...] = ("source", "application", "owner", "domain", "family", "product", "currency")
OwnerAsOf = Literal["month", "current"]
VISIBLE = "visible_applications"
"""The bind parameter of the applications a viewer may see."""
IN_CURRENCY = "in_currency"
"""The bind parameter of the currency a converted request's amounts are given in."""

Statement = tuple[sql.Composed, dict[str, object]]
"""A composed statement and its bind parameters."""


@dataclass(frozen=True)
class CostSide:
    """One pricing view over a month range."""

    view: str
    read_view: str
    """The view itself, or the base view of a simulation (CostContext.read_view)."""
    first_month: date
    last_month: date
    shift: int = 0
    """Months added to each month read before it is grouped: an against period's rows are
    labelled with the months they are compared with."""
    scopes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """A simulation's scopes (CostContext.scopes): the codes, per level, its adjustments touch."""
    preview: str | None = None
    """A preview's adjustments, a JSON array of rows (api/preview_adjustment_rows.sql), applied
    to read_view's rows instead of a saved simulation's."""
    rate_shift: int = 0
    """Converted (in_currency), months taken off each month for its FX rate: the period's costs
    at the rates of the months they are compared with (a converted variance's fx)."""

    @property
    def simulated(self) -> bool:
        return self.view != self.read_view or self.preview is not None


@dataclass(frozen=True)
class CostQuery:
    group_by: Sequence[str]
    """API keys, in the order rows are sorted by; must include currency."""
    filters: Mapping[str, Sequence[str]]
    """API key -> accepted values; a key with no values does not filter."""
    owner_as_of: OwnerAsOf = "month"
    """`month`: the owner in the month reported; `current`: the application's owner today."""
    applications: Sequence[str] | None = None
    """The applications the caller may see (finops_api/auth/visibility.py); None: all."""
    in_currency: str | None = None
    """The currency every amount is converted into with its month's FX rate; None: each
    amount in its own currency."""

    def validate(self) -> None:
        unknown = (set(self.group_by) - set(GROUP_KEYS)) | (set(self.filters) - set(FILTER_KEYS))
        if unknown or "currency" not in self.group_by:
            raise ValueError(f"invalid cost query: {self}")

    @property
    def filtered_keys(self) -> list[str]:
        return [name for name, values in self.filters.items() if values]

    def params(self) -> dict[str, object]:
        params: dict[str, object] = {name: list(self.filters[name]) for name in self.filtered_keys}
        if self.applications is not None:
            params[VISIBLE] = list(self.applications)
        if self.in_currency is not None:
            params[IN_CURRENCY] = self.in_currency
        return params

    def scoped(self, group_by: Sequence[str]) -> CostQuery:
        """The same filters and visibility over other keys."""
        return CostQuery(group_by, self.filters, self.owner_as_of, self.applications, self.in_currency)
