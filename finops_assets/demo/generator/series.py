"""Polars Series built from numpy index and integer arrays, through Arrow buffers: gathers from
small string tables, constant columns, exact decimals and ASCII strings, with no Python loop
per row and no float."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from finops_assets.demo.generator.focus import DECIMAL, SCALE

I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def lookup(values: list[str] | pl.Series) -> pl.Series:
    """A gather table: the values plus a trailing null, in one chunk (gathers from a multi-chunk
    Series are an order of magnitude slower)."""
    series = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.String)
    return series.extend_constant(None, 1).rechunk()


def take(table: pl.Series, index: I64) -> pl.Series:
    """table[index] for a `lookup` table; null where index is -1."""
    null = len(table) - 1
    return table.gather(pl.Series(np.where(index < 0, null, index).astype(np.uint32)))


def constant(value: str, n: int) -> pl.Series:
    return (
        pl.Series([value], dtype=pl.String).extend_constant(value, n - 1)
        if n
        else pl.Series([], dtype=pl.String)
    )


def decimal_series(units: I64, scale: int, valid: Mask | None = None) -> pl.Series:
    """Decimal(38, 10) from integer units of 10**-scale, built as Arrow decimal128 buffers (two
    little-endian int64 words per value, the high word the sign extension): no float involved."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63
    validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    array = pa.Array.from_buffers(pa.decimal128(38, scale), len(units), [validity, pa.py_buffer(words)])
    series = _series(pl.from_arrow(array))
    return series if scale == SCALE else series.cast(DECIMAL)


def ascii_series(chars: npt.NDArray[np.uint8]) -> pl.Series:
    """One string per row of a (n, width) array of ASCII codes."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    array = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return _series(pl.from_arrow(array))


def hex_series(values: npt.NDArray[np.uint64], digits: int) -> pl.Series:
    """Lower-case hex of each value's low `digits` nibbles (at most 16), zero-padded."""
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    nibbles = (values[:, None] >> shifts[None, :]) & np.uint64(15)
    return ascii_series(_HEX_DIGITS[nibbles.astype(np.intp)])


def _series(value: pl.DataFrame | pl.Series) -> pl.Series:
    # pl.from_arrow is typed as returning either
    if isinstance(value, pl.DataFrame):
        return value.to_series()
    return value
