"""The months a cost request asks for, checked, and the sides it reads over them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finops_api.costs.services import CostContext
from finops_api.costs.sides import CostSide
from finops_api.errors import InvalidParam, invalid_parameters
from finops_core.months import add_months, format_month, period_months


@dataclass(frozen=True)
class Range:
    """The months a request asked for, each None when not asked."""

    first: date | None
    last: date | None

    @classmethod
    def parse(cls, from_: str | None, to: str | None) -> Range:
        first = period_months(from_)[0] if from_ is not None else None
        last = period_months(to)[1] if to is not None else None
        if first is not None and last is not None and first > last:
            raise invalid_parameters(
                InvalidParam("from", f"{from_} is after to ({to})"),
                InvalidParam("to", f"{to} is before from ({from_})"),
            )
        return cls(first, last)

    def or_data_of(self, *contexts: CostContext) -> Range:
        """The range asked, a missing end taken from the first view with data."""
        firsts = [c.first_month for c in contexts if c.first_month is not None]
        lasts = [c.last_month for c in contexts if c.last_month is not None]
        return Range(
            self.first if self.first is not None else next(iter(firsts), None),
            self.last if self.last is not None else next(iter(lasts), None),
        )

    @property
    def empty(self) -> bool:
        return self.first is None or self.last is None or self.first > self.last

    def side(self, view: str, context: CostContext, shift: int = 0) -> CostSide:
        """The view over this range moved back by shift months (labelled as this range's months)."""
        if self.first is None or self.last is None or context.read_view is None:
            raise ValueError("no side over an empty range or an unknown view")
        first, last = add_months(self.first, -shift), add_months(self.last, -shift)
        return CostSide(view, context.read_view, first, last, shift, context.scopes or {})

    def text(self, shift: int = 0) -> tuple[str | None, str | None]:
        return (
            format_month(add_months(self.first, -shift)) if self.first is not None else None,
            format_month(add_months(self.last, -shift)) if self.last is not None else None,
        )
