"""The error every configuration reader raises."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration file that cannot be used, with the reason and where."""
