"""Named SQL lives in .sql files under sql/ (installed as the package `finops_sql`); this loads
them by relative path, from a checkout and from an installed wheel alike."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

SQL_DIR: Traversable = files("finops_sql")


@cache
def sql_text(relative_path: str) -> str:
    return SQL_DIR.joinpath(*relative_path.split("/")).read_text(encoding="utf-8")


@cache
def sql_statements(relative_path: str) -> tuple[str, ...]:
    """The statements of a file of several, for running one by one with parameters (the
    extended protocol takes one statement at a time). Our batch files keep one statement per
    `;` at a line end, with no function bodies."""
    text = sql_text(relative_path)
    parts = (part.strip() for part in text.split(";\n"))
    return tuple(p for p in parts if p and not all(line.startswith("--") for line in p.splitlines()))
