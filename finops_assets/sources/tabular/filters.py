"""The row filters of a tabular source (finops.yaml `filters`): which records are the source's
at all. A record is kept when it meets every `keep` condition and none of the `drop` ones; the
others are filtered, neither loaded nor rejected, and counted apart so that nothing is lost.

A filter's column that no file of the month has is an error naming it: a misspelt column would
otherwise filter every record (keep) or none (drop) without a word.
"""

from __future__ import annotations

from collections.abc import Collection
from difflib import get_close_matches

import polars as pl

from finops_assets.sources.files import READ_PROBLEM, SourceFilesError
from finops_assets.sources.focus.mapping import value_matches
from finops_assets.sources.tabular.reader import UNREADABLE
from finops_assets.sources.tabular.transforms import column_text
from finops_core.config import RowFilters

_SHOWN_COLUMNS = 20
"""How many of the files' columns an unknown filter column's error lists."""


def _unknown_column(side: str, column: str, columns: list[str]) -> SourceFilesError:
    record = sorted(c for c in columns if not c.startswith("_"))
    close = get_close_matches(column, record, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    shown = ", ".join(record[:_SHOWN_COLUMNS]) + (", ..." if len(record) > _SHOWN_COLUMNS else "")
    return SourceFilesError(
        f"filters.{side}.{column}: no such column in the month's files ({hint}they have: {shown})"
    )


def check_filter_columns(filters: RowFilters, columns: Collection[str]) -> None:
    """Raise naming the first filter column that is none of `columns`: every column of the
    month's files (a month read in batches is checked once, before anything lands)."""
    for side, conditions in (("keep", filters.keep), ("drop", filters.drop)):
        for column in conditions:
            if column not in columns:
                raise _unknown_column(side, column, list(columns))


def kept_records(frame: pl.DataFrame, filters: RowFilters) -> pl.Expr:
    """True for the records of `frame` the filters keep. A filter's column that `frame` lacks
    (a batch of a file without it, when another file of the month has it) is empty in its
    records, as in the month's files read as one. A record that could not be read (its month
    outside the partitions, a NUL, a line that is not JSON) is never filtered: it is rejected
    with its reason, since no filter can judge it."""
    kept = pl.lit(True)
    for column, condition in filters.keep.items():
        kept = kept & value_matches(column_text(frame, column), condition)
    for column, condition in filters.drop.items():
        kept = kept & ~value_matches(column_text(frame, column), condition)
    for unreadable in (READ_PROBLEM, UNREADABLE):
        if unreadable in frame.columns:
            kept = kept | pl.col(unreadable).is_not_null()
    return kept
