from __future__ import annotations

from typing import Literal

import msgspec

from finops_api.publication.schemas import StaleMonth


class Health(msgspec.Struct, frozen=True):
    status: Literal["ok"]
    database: Literal["ok"]
    schema_version: str
    """The latest migration applied to the mart, e.g. `0001`."""
    stale_months: list[StaleMonth] = msgspec.field(default_factory=list)
    """Every month whose layers disagree (a run stopped between its steps), with why; the cost
    answers that include one name it too. Empty when every month is published whole."""
