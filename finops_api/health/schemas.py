from __future__ import annotations

from typing import Literal

import msgspec


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok"]
    database: Literal["ok"]
    schema_version: str
    """The latest migration applied to the mart, e.g. `0001`."""
