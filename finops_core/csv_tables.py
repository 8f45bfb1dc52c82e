"""Small CSV tables that people write by hand (mapping tables, prices, FX rates, keys)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finops_core.config import ConfigError


def read_csv_table(path: Path, header: list[str]) -> pl.DataFrame:
    """Every cell as stripped text (no number guessing: money stays exact), with exactly
    `header` as columns, or a ConfigError naming the file and both headers."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    table = pl.read_csv(path, infer_schema=False)
    if table.columns != header:
        raise ConfigError(f"{path}: expected the header {','.join(header)}, got {','.join(table.columns)}")
    return table.select(pl.col(name).str.strip_chars() for name in header)
