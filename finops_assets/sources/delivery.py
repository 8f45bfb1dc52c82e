"""A new delivery of a (source, month) is validated before it replaces the loaded one.

Files of the same content; empty, a mandatory column missing, too many rows rejected, or rows
or a total far from the loaded month's: the delivery is held. Nothing is landed or loaded, the
month keeps what it holds, the attempt is audited (`held`, with the reason) and the run fails
in one line; accepting it (`finops materialize --accept-held`, or the run config's
`accept_held`) replaces the month deliberately. A file that cannot be read is audited as
`failed` the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import psycopg
from psycopg.types.json import Jsonb

from finops_assets.mart.connection import Mart, connection
from finops_assets.sources.files import SourceFilesError, UnplaceableFileError, UnreadableFileError
from finops_assets.sources.monthly import NO_KEY, IngestSummary, exact_texts
from finops_core.decimals import EXACT, TOTALS, exact_text
from finops_core.deliveries import DeliveryRules
from finops_core.months import format_month
from finops_core.sql import sql_text

MISSING_COLUMN = ("(no such column)", "column missing")
"""How the normalisations word the reason of a row whose mandatory column the file lacks."""


class DeliveryHeld(Exception):
    """The delivery was kept out of the month; the message says why, in one line."""

    def __init__(self, message: str, reason: str, summary: IngestSummary) -> None:
        super().__init__(message)
        self.reason = reason
        self.summary = summary


class DeliveryFailed(Exception):
    """A file of the delivery could not be read; the message names it, the line and the cause."""


@dataclass(frozen=True)
class LoadedMonth:
    rows_read: int
    rows_rejected: int
    rows_filtered: int
    source_cost: dict[str, Decimal]
    filtered_cost: dict[str, Decimal]
    files: list[dict[str, object]]

    @property
    def rows_kept(self) -> int:
        """The rows the source's filters kept: the loaded and the rejected ones."""
        return self.rows_read - self.rows_filtered

    @property
    def rows_loaded(self) -> int:
        return self.rows_kept - self.rows_rejected


def kept_cost(source_cost: dict[str, Decimal], filtered_cost: dict[str, Decimal]) -> dict[str, Decimal]:
    """The files' total per currency less what the row filters kept out: what the month is
    meant to hold (loaded, or rejected to be fixed)."""
    return {c: EXACT.subtract(total, filtered_cost.get(c, Decimal(0))) for c, total in source_cost.items()}


def loaded_month(mart: Mart, source: str, month: date) -> LoadedMonth | None:
    with connection(mart) as conn:
        row = conn.execute(sql_text("batch/deliveries/loaded_month.sql"), {"source": source, "month": month})
        found = row.fetchone()
    if found is None:
        return None
    return LoadedMonth(
        int(found[0]),
        int(found[1]),
        int(found[2]),
        TOTALS.decode(found[3]),
        TOTALS.decode(found[4]),
        msgspec.json.decode(found[5]),
    )


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def _total_moves(loaded: dict[str, Decimal], new: dict[str, Decimal], factor: float) -> str | None:
    for currency in sorted(loaded.keys() - {NO_KEY}):  # lines with no currency were all rejected
        before, after = abs(loaded[currency]), abs(new.get(currency, Decimal(0)))
        if before == 0:
            continue
        ratio = after / before
        if ratio == 0 or not 1 / Decimal(factor) <= ratio <= Decimal(factor):
            times = "all of it gone" if ratio == 0 else f"x{float(ratio):.4g}"  # float ok: a figure to read
            return (
                f"the {currency} total moves from {exact_text(loaded[currency])} to "
                f"{exact_text(new.get(currency, Decimal(0)))} ({times}; max_total_factor {factor:g})"
            )
    return None


def _rows_move(loaded: int, new: int, factor: float) -> str | None:
    """Fewer rows than the loaded month's divided by `factor`; more are no reason to hold: the
    current month grows every day from its first fees (copies of a file are held apart)."""
    if loaded == 0 or new / loaded >= 1 / factor:  # float ok: a ratio of counts
        return None
    times = f"x{new / loaded:.4g}; max_row_factor {factor:g}"
    return f"{new} rows kept, against {loaded} in the loaded month ({times})"


def _copies(files: list[dict[str, object]]) -> str | None:
    """Files of the delivery with the same content: a copy (`bill (1).csv`) would count its
    costs twice, whatever the month held before."""
    by_content: dict[object, list[str]] = {}
    for file in files:
        by_content.setdefault(file["sha256"], []).append(str(file["path"]))
    same = [paths for paths in by_content.values() if len(paths) > 1]
    if not same:
        return None
    return "files with the same content, whose costs would count twice: " + "; ".join(
        " = ".join(paths) for paths in same
    )


def held_reason(
    summary: IngestSummary,
    reasons: Counter[str],
    loaded: LoadedMonth | None,
    rules: DeliveryRules,
    month: date,
) -> str | None:
    """Why this delivery may not replace the loaded month, or None when it may. Files of the
    same content are held whatever the month held. Otherwise, a month that holds no loaded
    line has nothing to lose: any delivery goes in (its rejects are kept); the very files that
    were loaded go in again; a share of rejects the loaded month had already is no reason to
    hold. Rows the source's row filters drop are not the source's: a delivery whose rows are
    all filtered out is as empty as one without rows, and the share of rejects, the rows and
    the totals are those of the rows kept."""
    if (copies := _copies(summary.files)) is not None:
        return copies
    if loaded is None or loaded.rows_loaded == 0 or summary.files == loaded.files:
        return None
    was = f"the loaded month has {loaded.rows_loaded} lines"
    kept = summary.rows_read - summary.rows_filtered
    if kept == 0:
        if format_month(month) in rules.empty_months:
            return None
        rows = (
            f"all {summary.rows_read} rows of {format_month(month)} filtered out by the source's filters"
            if summary.rows_read
            else f"no rows for {format_month(month)}"
        )
        return (
            f"empty delivery: {rows} ({was}; a source withdrawn declares the month in delivery.empty_months)"
        )
    missing = sorted({r.split(":", 1)[0] for r in reasons if any(m in r for m in MISSING_COLUMN)})
    of_rows = f"of {kept} rows" + (" kept by the filters" if summary.rows_filtered else "")
    if missing:
        rejected = f"{summary.rows_rejected} {of_rows} rejected"
        return f"mandatory column missing: {', '.join(missing)} ({rejected}; {was})"
    allowed = max(rules.max_rejected_share, loaded.rows_rejected / loaded.rows_kept)
    if summary.rows_rejected > allowed * kept:
        ((top, count),) = reasons.most_common(1)
        return (
            f"{summary.rows_rejected} {of_rows} rejected "
            f"({_share(summary.rows_rejected, kept)}, over max_rejected_share "
            f"{rules.max_rejected_share:.0%}); most often: {top!r} ({count} rows)"
        )
    return _rows_move(loaded.rows_kept, kept, rules.max_row_factor) or _total_moves(
        kept_cost(loaded.source_cost, loaded.filtered_cost),
        kept_cost(summary.source_cost, summary.filtered_cost),
        rules.max_total_factor,
    )


@dataclass(frozen=True)
class DeliveryGate:
    """Held or not, for one (source, month) run; called by the ingest before it lands anything."""

    mart: Mart
    source: str
    month: date
    rules: DeliveryRules
    accept_held: bool
    log: Callable[[str], None]

    def __call__(self, summary: IngestSummary, reasons: Counter[str]) -> None:
        """`reasons`: the delivery's rejects counted by reason."""
        loaded = loaded_month(self.mart, self.source, self.month)
        reason = held_reason(summary, reasons, loaded, self.rules, self.month)
        if reason is None:
            return
        if self.accept_held:
            self.log(f"accepted as asked (--accept-held): {reason}")
            return
        raise DeliveryHeld(
            f"{self.source} {format_month(self.month)} held, the loaded month is unchanged: {reason}; "
            "`finops materialize --accept-held` (run config accept_held) replaces it",
            reason,
            summary,
        )


def record_attempt(
    mart: Mart,
    source: str,
    month: date,
    status: str,
    reason: str,
    summary: IngestSummary | None,
    cost_column: str,
    run_id: str | None,
) -> int:
    figures = summary or IngestSummary(0, 0, [], {}, {})
    with connection(mart) as conn, conn.transaction():
        row = conn.execute(
            sql_text("batch/deliveries/record_attempt.sql"),
            {
                "source": source,
                "month": month,
                "rows_read": figures.rows_read,
                "rows_rejected": figures.rows_rejected,
                "rows_filtered": figures.rows_filtered,
                "files": Jsonb(figures.files),
                "cost_column": cost_column,
                "source_cost": Jsonb(exact_texts(figures.source_cost)),
                "rejected_cost": Jsonb(exact_texts(figures.rejected_cost)),
                "filtered_cost": Jsonb(exact_texts(figures.filtered_cost)),
                "started_at": datetime.now(UTC),
                "status": status,
                "reason": reason,
                "run_id": run_id,
            },
        ).fetchone()
    assert row is not None
    return int(row[0])


@contextmanager
def audited_attempt(
    mart: Mart, source: str, month: date, cost_column: str, run_id: str | None
) -> Iterator[None]:
    """Around an ingest: a held delivery or an unreadable file leaves its audit row (with the
    Dagster run's id) and ends the run with its one line (DeliveryFailed for a file), never a
    parser's traceback."""
    try:
        yield
    except DeliveryHeld as held:
        record_attempt(mart, source, month, "held", held.reason, held.summary, cost_column, run_id)
        raise
    except (UnreadableFileError, UnplaceableFileError, SourceFilesError) as error:
        record_attempt(mart, source, month, "failed", str(error), None, cost_column, run_id)
        raise DeliveryFailed(
            f"{source} {format_month(month)} failed, the loaded month is unchanged: {error}"
        ) from None


@contextmanager
def landing_lock(
    conn: psycopg.Connection[Any], source: str, month: date, log: Callable[[str], None]
) -> Iterator[None]:
    """The (source, month) landed by one run at a time: a session advisory lock in the mart,
    held from reading the files to the swap of the landing folder. A run of the month that
    starts while another lands it waits, then finds that run's landing, which it keeps when its
    delivery is the same (sources/manifest.py). Without it, both landed the month whole and the
    last swap won, whichever delivery it had read. The lock is in the mart, so it also holds
    between machines that share the landing volume."""
    key = [f"{source}|{format_month(month)}"]
    free = conn.execute("SELECT pg_try_advisory_lock(hashtext('landing'), hashtext(%s))", key).fetchone()
    if not (free and free[0]):
        log(f"waiting for another run that is landing {source} {format_month(month)}")
        conn.execute("SELECT pg_advisory_lock(hashtext('landing'), hashtext(%s))", key)
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext('landing'), hashtext(%s))", key)
