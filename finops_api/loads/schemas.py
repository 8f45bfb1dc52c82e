from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from finops_api.amounts import Amount


class Load(msgspec.Struct, frozen=True):
    load_id: int
    source: str
    month: str
    """The billing period loaded, YYYY-MM."""
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    """rows_read = rows_loaded + rows_rejected + rows_filtered: nothing is lost."""
    rows_filtered: int
    """Rows a tabular source's row filters kept out (finops.yaml `filters`): neither loaded nor
    rejected; 0 for a source without filters."""
    delivered: bool | None
    """False when no file of the source held this month: the month is empty because nothing was
    delivered (the `no_delivery` check warns), not because it cost nothing. Null for a `failed`
    attempt, which stopped before its files were known (the reason says which file failed)."""
    cost_column: str
    """The source column the costs were read from (EffectiveCost or BilledCost)."""
    source_cost: dict[str, Amount]
    """The file's own total of the cost column, per currency, exact (a decimal string)."""
    rejected_cost: dict[str, Amount]
    """What the rejected rows carried, per currency."""
    filtered_cost: dict[str, Amount]
    """What the filtered rows carried, per currency: source_cost = the mart's cost +
    rejected_cost + filtered_cost, exactly."""
    started_at: datetime
    finished_at: datetime
    status: Literal["loaded", "held", "failed"] = "loaded"
    """`loaded`: the month holds this load. `held`: the delivery was validated and kept out (the
    month still holds its previous load; the counts and totals are the delivery's own).
    `failed`: a file could not be read; nothing was replaced."""
    reason: str | None = None
    """Why a `held` or `failed` attempt replaced nothing, in one line."""
    run_id: str | None = None
    """The Dagster run that recorded the attempt (its logs: the Dagster UI's `/runs/<run_id>`);
    null for attempts recorded before the mart's migration 0028."""


class LoadList(msgspec.Struct, frozen=True, omit_defaults=True):
    rows: list[Load]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class RejectedRow(msgspec.Struct, frozen=True):
    file: str
    """The source file the row was read from."""
    line_number: int
    """1-based record number in the file (header excluded)."""
    column_name: str
    """The column that failed ('?' when no single column did)."""
    reason: str
    raw_row: dict[str, str | None]
    """The row as the source had it: each column's text, null when empty or absent."""


class RejectedRowList(msgspec.Struct, frozen=True, omit_defaults=True):
    rows: list[RejectedRow]
    next: str | None = None
    """The next page (path and query); absent on the last page."""
