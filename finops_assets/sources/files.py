"""Finding a source's files and knowing which months each one holds, without re-reading it.

A source path is a file, a glob or a folder. Which billing months a file holds is computed
once per (path, size, mtime) from its month column alone and kept in a small JSON index in the
landing folder, so materializing one month reads only the files that hold it.
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

SUPPORTED_SUFFIXES = (".csv", ".csv.gz", ".parquet")
NULL_TOKENS = ["NULL", "null", ""]


class SourceFilesError(ValueError):
    pass


class UnplaceableFileError(ValueError):
    pass


def placed_months(months: set[str], rows: int, path: Path, column: str) -> set[str]:
    """The months a file's records hold; an error when it has records but none of them can be
    placed in a month partition (say so instead of skipping them)."""
    if not months and rows:
        raise UnplaceableFileError(
            f"{path}: none of its {rows} rows has a readable {column}, "
            "so the file cannot be placed in a month partition"
        )
    return months


def null_parquet_column(path: Path, name: str) -> pl.DataFrame:
    """A text column of nulls as long as the Parquet file: a month column the file lacks."""
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    return pl.DataFrame({name: [None] * rows}, schema={name: pl.String})


def is_supported(path: Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> bool:
    return path.name.lower().endswith(suffixes)


def source_files(path: Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> list[Path]:
    """The supported files a source path names, sorted; an error when it names none."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and is_supported(p, suffixes))
    elif glob.has_magic(str(path)):
        files = sorted(
            Path(p) for p in glob.glob(str(path), recursive=True) if is_supported(Path(p), suffixes)
        )
    elif path.is_file():
        if not is_supported(path, suffixes):
            raise SourceFilesError(f"{path}: unsupported file type; expected {', '.join(suffixes)}")
        files = [path]
    else:
        raise SourceFilesError(f"{path}: no such file or folder")
    return files


@dataclass(frozen=True)
class FileMonths:
    months: frozenset[str]
    """The YYYY-MM billing months present in the file."""
    default_month: str | None
    """Where rows with an unreadable month go: the file's earliest month (None: empty file)."""


class FileMonthIndex:
    """Months per file, cached on disk by (path, size, mtime_ns)."""

    def __init__(self, index_path: Path) -> None:
        self.index_path = index_path
        self._entries: dict[str, dict[str, object]] = {}
        if index_path.exists():
            try:
                self._entries = json.loads(index_path.read_text())
            except ValueError:
                self._entries = {}  # a torn or foreign file: rebuild it

    @staticmethod
    def _key(path: Path) -> tuple[str, list[int]]:
        stat = path.stat()
        return str(path.resolve()), [stat.st_size, stat.st_mtime_ns]

    def lookup(self, path: Path) -> FileMonths | None:
        """The file's months if indexed for its current size and mtime, else None."""
        key, stamp = self._key(path)
        entry = self._entries.get(key)
        if entry is None or entry.get("stamp") != stamp:
            return None
        months = [str(m) for m in entry["months"]]  # type: ignore[attr-defined]
        return FileMonths(frozenset(months), min(months) if months else None)

    def store(self, path: Path, months: set[str]) -> FileMonths:
        key, stamp = self._key(path)
        self._entries[key] = {"stamp": stamp, "months": sorted(months)}
        self._save()
        return FileMonths(frozenset(months), min(months) if months else None)

    def _save(self) -> None:
        # write-then-rename: a concurrent run sees the old index or the new one, never half
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.index_path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(self._entries, handle)
        os.replace(tmp, self.index_path)


def read_csv_text(path: Path) -> pl.DataFrame:
    """A CSV file (optionally gzip) with every column as text, so nothing is guessed or rounded
    on the way in: the literal NULL/null tokens and empty cells are nulls, and blank lines
    (which are not records) are skipped. `_line` is added by the caller, after any filter."""
    frame = pl.read_csv(path, infer_schema=False, null_values=NULL_TOKENS, raise_if_empty=False)
    if frame.width:
        frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))
    return frame
