"""A source's folder listed once for a whole billing_lines run: the files it leaves out, the
export runs it supersedes and the files it reads are three views of one listing, so that a file
arriving during the run is in all of them or in none (a run read without its superseded sibling
being named, say), and a bucket of thousands of files is walked once, not three times."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar, cast

T = TypeVar("T")

_RUN: ContextVar[dict[Hashable, object] | None] = ContextVar("finops_source_listing", default=None)


@contextmanager
def one_listing() -> Iterator[None]:
    """Within it, each listing of a source path (and the choice of its export runs) is made once."""
    token = _RUN.set({})
    try:
        yield
    finally:
        _RUN.reset(token)


def listed_once(key: Hashable, list_: Callable[[], T]) -> T:
    """list_(), or what it gave under the same key within one_listing; outside it, listed anew."""
    kept = _RUN.get()
    if kept is None:
        return list_()
    if key not in kept:
        kept[key] = list_()
    return cast(T, kept[key])
