"""What the mart functions run on: a connection the run's MartResource lent (pooled, one per run
in the in-process executor), or a URL, for the tests and scripts that call them alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

import psycopg

Mart: TypeAlias = "str | psycopg.Connection[Any]"
"""A database URL, or an autocommit connection whose transactions the callee opens."""


@contextmanager
def connection(mart: Mart) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection: the one lent, or a new one to the URL, closed after. Callers
    open their own `conn.transaction()`, so both behave the same."""
    if isinstance(mart, str):
        with psycopg.connect(mart, autocommit=True) as conn:
            yield conn
    else:
        yield mart
