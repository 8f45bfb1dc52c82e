"""Exact amounts on the wire: decimal strings in plain notation.

msgspec writes a Decimal as str(Decimal), which turns small values into E-notation ("2E-7"),
and real costs go down to 6.27E-12. The API sends plain-notation strings instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from msgspec import Meta

Amount = Annotated[
    str,
    Meta(
        pattern=r"^-?\d+(\.\d+)?$",
        description="An exact decimal number as a string in plain notation (never rounded, no E-notation)",
        examples=["1234.5600", "0.000000000006266090"],
    ),
]


def amount_text(value: Decimal) -> str:
    return format(value, "f")
