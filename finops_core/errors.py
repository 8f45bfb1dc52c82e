"""The error every configuration reader raises, and how any error is said in one line."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration file that cannot be used, with the reason and where."""


def first_line(error: BaseException) -> str:
    """An error's message in one line (polars', PyYAML's and libpq's span several; httpx's status
    errors go on with a link), else its type (a timeout has no text)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
