"""What to generate: the demo's spec and its months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from finops_core.months import add_months

# Amounts are int64 counts of 1e-10, so a sum (a commitment's monthly fee) must stay below 9.2e8
# currency units; this bound on the month's size keeps it far below.
MAX_ROWS_PER_MONTH = 10_000_000


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. `months` are first days of months; the other fields shape every month."""

    months: tuple[date, ...]
    rows_per_month: int = 20_000
    applications: int = 40  # distinct application tag values
    products: int = 60  # distinct usage (provider, service, pricing unit) combos
    seed: int = 42
    untagged_share: float = 0.05  # float ok: a probability, not money

    def __post_init__(self) -> None:
        for month in self.months:
            check_month(month)
        if not 0 <= self.rows_per_month <= MAX_ROWS_PER_MONTH:
            raise ValueError(
                f"rows_per_month must be within [0, {MAX_ROWS_PER_MONTH}], not {self.rows_per_month}"
            )
        if self.applications < 1 or self.products < 1:
            raise ValueError("applications and products must be >= 1")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, not {self.seed}")
        if not 0 <= self.untagged_share <= 1:
            raise ValueError(f"untagged_share must be within [0, 1], not {self.untagged_share}")


def demo_months(count: int = 12, until: date | None = None) -> tuple[date, ...]:
    """The `count` consecutive months (first days, oldest first) ending with the month of `until`;
    by default the previous full month before date.today()."""
    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")
    if until is None:
        until = add_months(date.today().replace(day=1), -1)
    last = until.replace(day=1)
    return tuple(add_months(last, offset) for offset in range(1 - count, 1))


def check_month(month: date) -> None:
    if isinstance(month, datetime) or not isinstance(month, date) or month.day != 1:
        raise ValueError(f"a month is the first day of a month, e.g. date(2025, 3, 1); got {month!r}")
