"""Splitting an amount by weights exactly: the largest remainder method.

Each share is first rounded down at the scale; the units of the scale still missing go one each
to the shares that lost the most in rounding (ties: the earlier share, i.e. the application
code first in order). The shares always sum to the total exactly, and no share is more than one
unit of the scale away from its exact value.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal, localcontext

from finops_core.decimals import EXACT


def decimals_of(value: Decimal) -> int:
    """Decimal places a value needs: 2 for 10000.50, 0 for 10000 and for 1E+4."""
    exponent = value.normalize(EXACT).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def apportion(total: Decimal, weights: Sequence[Decimal], scale: int) -> list[Decimal]:
    """`total` split in proportion to `weights` (>= 0, not all 0), at `scale` decimal places or
    at the total's own, whichever is finer, so that the total is a whole number of units."""
    if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("weights must be >= 0 and not all 0")
    if total < 0:
        return [share.copy_negate() for share in apportion(total.copy_negate(), weights, scale)]  # unrounded
    quantum = Decimal(1).scaleb(-max(scale, decimals_of(total)))
    weight_total = sum(weights)
    with localcontext() as context:
        context.prec = 80  # far beyond any NUMERIC the mart holds: the division is exact enough
        exact = [total * weight / weight_total for weight in weights]
        shares = [value.quantize(quantum, rounding=ROUND_FLOOR) for value in exact]
        missing = int((total - sum(shares)) / quantum)
        by_loss = sorted(range(len(shares)), key=lambda i: (-(exact[i] - shares[i]), i))
        for index in by_loss[:missing]:
            shares[index] += quantum
    return shares
