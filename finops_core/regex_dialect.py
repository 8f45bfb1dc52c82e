"""Patterns that run in polars are checked in polars: its regex dialect (Rust's regex crate) has
no look-around and no back-references, which Python's accepts."""

from __future__ import annotations


def polars_regex_groups(pattern: str) -> int:
    """The pattern's capture groups as polars counts them; ValueError with polars' reason when
    polars refuses it. polars is imported here, not at the top: a parallel backfill's workers
    unpickle a config before they size polars' thread pool, which polars does when it is
    imported (finops_cli/parallel.py)."""
    import polars as pl

    try:
        return len(pl.Series([""]).str.extract_groups(pattern).struct.fields)
    except pl.exceptions.ComputeError as error:
        raise ValueError(str(error).split("\n\nThis error occurred")[0]) from None
