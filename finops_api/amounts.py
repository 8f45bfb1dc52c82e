"""Exact amounts on the wire: decimal strings in plain notation (finops_core.decimals),
because msgspec writes a Decimal as str(Decimal), E-notation for small values."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

AMOUNT_PATTERN = r"^-?\d+(\.\d+)?$"

Amount = Annotated[
    str,
    Meta(
        pattern=AMOUNT_PATTERN,
        description="An exact decimal number as a string in plain notation (never rounded, no E-notation)",
        examples=["1234.5600", "0.000000000006266090"],
    ),
]
