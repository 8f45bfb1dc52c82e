"""The landing's Parquet files written a batch at a time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from finops_assets.sources.monthly import harmonise

if TYPE_CHECKING:  # imported by the first write: a run whose landing is kept never loads it (0.2 s)
    import pyarrow as pa
    import pyarrow.parquet as pq

LANDED_COMPRESSION: Final = "zstd"
"""The landing's kept files (lines, rejects): zstd is 30% smaller than lz4 on a FOCUS month's
lines (16.0 against 22.7 MB at 1M lines) and was no slower to write (benchmarks/RESULTS.md).
The batches' spilled partial aggregates, read once and deleted, stay lz4."""


class ParquetParts:
    """One landing file written a batch at a time. Batches typed alike (the usual case: one
    file's batches) go into one Parquet file as row groups; a batch typed otherwise starts a
    new part, and `close` merges the parts with the types harmonised, streaming."""

    def __init__(self, target: Path, row_group_size: int | None = None) -> None:
        self.target = target
        self.row_group_size = row_group_size
        self.parts: list[Path] = []
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, frame: pl.DataFrame) -> None:
        if frame.height == 0 and self._writer is not None:
            return
        import pyarrow.parquet as pq

        table = frame.to_arrow()
        if self._writer is None or not table.schema.equals(self._schema):
            self._close_writer()
            path = self.target.with_name(f".{self.target.stem}-{len(self.parts):04d}.parquet")
            self._writer = pq.ParquetWriter(path, table.schema, compression=LANDED_COMPRESSION)
            self._schema = table.schema
            self.parts.append(path)
        self._writer.write_table(table, row_group_size=self.row_group_size)
        self.rows += frame.height

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def close(self) -> None:
        self._close_writer()
        if len(self.parts) == 1:
            os.replace(self.parts[0], self.target)
            return
        scans = harmonise([pl.scan_parquet(part) for part in self.parts])
        pl.concat(scans, how="diagonal_relaxed").sink_parquet(self.target, compression=LANDED_COMPRESSION)
        for part in self.parts:
            part.unlink()
