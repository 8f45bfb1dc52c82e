"""Provider-style identifiers (account, sub-account and commitment ids), drawn from the seed so
that each provider's ids look like its own exports'."""

from __future__ import annotations

import uuid

import numpy as np


def _hex(rng: np.random.Generator, digits: int, upper: bool = False) -> str:
    text = "".join(f"{int(v):x}" for v in rng.integers(0, 16, digits))
    return text.upper() if upper else text


def account_id(rng: np.random.Generator, provider: int) -> str:
    if provider == 0:
        return str(rng.integers(10**11, 10**12))
    if provider == 1:
        return f"/providers/Microsoft.Billing/billingAccounts/{rng.integers(10**7, 10**8)}"
    if provider == 2:
        return "-".join(_hex(rng, 6, upper=True) for _ in range(3))
    return f"ocid1.tenancy.oc1..aaaaaaaa{_hex(rng, 52)}"


def sub_account_id(rng: np.random.Generator, provider: int, name: str) -> str:
    if provider == 0:
        return str(rng.integers(10**11, 10**12))
    if provider == 1:
        return f"/subscriptions/{uuid.UUID(bytes=rng.bytes(16), version=4)}"
    if provider == 2:
        return f"{name}-{rng.integers(100_000, 1_000_000)}"
    return f"ocid1.compartment.oc1..aaaaaaaa{_hex(rng, 52)}"


def commitment_id(rng: np.random.Generator, provider: int, sub_account: str) -> str:
    if provider == 0:
        return f"arn:aws:savingsplans::{sub_account}:savingsplan/{uuid.UUID(bytes=rng.bytes(16), version=4)}"
    if provider == 1:
        order, reservation = (uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(2))
        return f"/providers/Microsoft.Capacity/reservationOrders/{order}/reservations/{reservation}"
    return f"projects/{sub_account}/regions/us-central1/commitments/cud-{_hex(rng, 8)}"
