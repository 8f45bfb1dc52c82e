"""Old months' landing folders moved to an archive folder, and back (`finops archive`).

The mart is not touched: an archived month's facts, valuations and read models stay, so its
totals are answered as before. What moves is the month's landing folder, whole and byte for
byte (lines, rejects, facts, products, manifest and the copies of the provider's Parquet files),
to <archive>/<source>/<YYYY-MM>/ beside an `archive.json` listing every file's size and sha256:

- nothing is lost: every file is verified after the move (the provider's copies against the
  sha256 the manifest recorded when they were read), and a restore verifies them again;
- on the same filesystem the files are hard links (no byte is written: the move is free, and
  the landing writer never rewrites a file in place, it swaps whole folders); elsewhere
  (`--to` on another disk) they are copied;
- while archived, the landing holds `<YYYY-MM>.archived`, naming the archive folder: a run that
  would land that month again (its billing_lines) fails saying so, because re-reading the
  provider's files would silently replace what was archived, or (their retention past) find
  nothing. `finops archive --restore YYYY-MM` brings the folder back first. Steps that read the
  mart only (allocation, valuation, read models) run as before.

Safe to run twice (done months are skipped, an interrupted move is finished) and against
concurrent runs: one archive run at a time (a lock file), and a month being landed is refused
(the marker is written before live staging folders are looked for, and the landing writer looks
for the marker after creating its staging folder, so one of the two always sees the other).
A month whose last delivery was held, or whose mart layers are stale, is refused: its landing
may be what the next run needs.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

from finops_assets.landing import (
    _STAGING,
    SOURCE_FILES,
    LandingSlice,
    _alive,
    link_or_copy,
    publish,
    staging_folder,
)
from finops_assets.mart.connection import connection
from finops_assets.sources.file_index import content_hash
from finops_core.months import format_month, parse_month
from finops_core.sql import sql_text

ARCHIVE_INDEX = "archive.json"
LOCK = ".archive.lock"
_MONTH = re.compile(r"\d{4}-\d{2}")


class ArchiveError(ValueError):
    """A month that may not be archived or restored now; the message says why and what to do."""


@dataclass
class ArchiveReport:
    archived: list[tuple[str, date, int, int]] = field(default_factory=list)
    """(source, month, files, bytes) moved out of the landing."""
    already: int = 0
    """Months before the cut already archived."""
    refused: list[str] = field(default_factory=list)
    """Why each refused month was refused."""


def landed_months(landing_root: Path, sources: Sequence[str] | None) -> Iterator[LandingSlice]:
    """The (source, month) folders of the landing, in order."""
    if not landing_root.is_dir():
        return
    for folder in sorted(landing_root.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir() or (sources and folder.name not in sources):
            continue
        for month in sorted(folder.iterdir()):
            if month.is_dir() and _MONTH.fullmatch(month.name):
                yield LandingSlice(landing_root, folder.name, parse_month(month.name))


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _place(source: Path, target: Path) -> None:
    """A hard link when both are on one filesystem (free, and the landing never rewrites a file
    in place), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    link_or_copy(source, target)


def _recorded_sha256(manifest: dict[str, object]) -> dict[str, str]:
    """The sha256 the manifest recorded for each copy in source_files/ when the provider's file
    was read (copies are named <NNN>_<name>, NNN its place in the manifest's `files`)."""
    files = manifest.get("files")
    recorded = {}
    for number, entry in enumerate(files if isinstance(files, list) else []):
        name = f"{SOURCE_FILES}/{number:03d}_{Path(str(entry['path'])).name}"
        recorded[name] = str(entry["sha256"])
    return recorded


def _index(slice_: LandingSlice, folder: Path) -> dict[str, object]:
    """archive.json of a folder holding the slice's files: each file's size and sha256, the
    provider's copies checked against the manifest (a copy that differs is never archived as
    if it were the provider's file)."""
    recorded = _recorded_sha256(json.loads((folder / "manifest.json").read_text()))
    files: dict[str, dict[str, object]] = {}
    for path in _files(folder):
        name = path.relative_to(folder).as_posix()
        if name == ARCHIVE_INDEX:
            continue
        digest = content_hash(path)
        if name in recorded and recorded[name] != digest:
            raise ArchiveError(
                f"{slice_.folder / name}: its sha256 is not the one recorded when the provider's file was "
                f"read ({recorded[name]}); {slice_.source} {format_month(slice_.month)} is not archived"
            )
        files[name] = {"size": path.stat().st_size, "sha256": digest}
    return {"source": slice_.source, "month": format_month(slice_.month), "files": files}


def _archive_index(folder: Path) -> dict[str, object]:
    """An archived month's archive.json; refused naming it when it is not one."""
    path = folder / ARCHIVE_INDEX
    try:
        index = json.loads(path.read_text())
    except ValueError as error:
        raise ArchiveError(f"{path}: not the archive's index ({error}); the month is left as it is") from None
    if not isinstance(index, dict):
        raise ArchiveError(f"{path}: not the archive's index (not a JSON object); the month is left as it is")
    return index


def _verify(folder: Path, index: dict[str, object]) -> None:
    """Every file of the index in folder, with its size and sha256; nothing else."""
    files = index["files"]
    assert isinstance(files, dict)
    present = {p.relative_to(folder).as_posix() for p in _files(folder)} - {ARCHIVE_INDEX}
    if present != set(files):
        raise ArchiveError(f"{folder}: holds {sorted(present ^ set(files))} unlike its {ARCHIVE_INDEX}")
    for name, entry in files.items():
        if content_hash(folder / name) != entry["sha256"]:
            raise ArchiveError(f"{folder / name}: sha256 differs from its {ARCHIVE_INDEX}; not moved")


def _remove(folder: Path) -> None:
    """Rename the folder away first (one step for readers), then delete it."""
    old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".old-{os.getpid()}-"))
    os.replace(folder, old / "slice")
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def archive_lock(archive_root: Path) -> Iterator[None]:
    """One archive run at a time over an archive folder."""
    archive_root.mkdir(parents=True, exist_ok=True)
    with (archive_root / LOCK).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArchiveError(f"another `finops archive` is running on {archive_root}; try again") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def blockers(conn: psycopg.Connection[tuple[object, ...]], slice_: LandingSlice) -> list[str]:
    rows = conn.execute(
        sql_text("batch/archive_blockers.sql"), {"source": slice_.source, "month": slice_.month}
    ).fetchall()
    return [f"{blocker}: {reason}" for blocker, reason in rows]


def mark_archived(slice_: LandingSlice, archive: LandingSlice) -> None:
    """Write the marker, then refuse when a live run is landing the month (see the docstring)."""
    month = format_month(slice_.month)
    text = (
        f"{slice_.source} {month} is archived in {archive.folder}: `finops archive --restore {month} "
        f"--to {archive.root}` brings its landing back before it is landed again"
    )
    temporary = slice_.archived_marker.with_name(f".{slice_.archived_marker.name}-{os.getpid()}")
    temporary.write_text(text + "\n")
    os.replace(temporary, slice_.archived_marker)
    for staging in slice_.folder.parent.glob(f".{month}-*"):
        match = _STAGING.fullmatch(staging.name)
        if match is not None and match["pid"] is not None and _alive(int(match["pid"])):
            slice_.archived_marker.unlink()
            raise ArchiveError(
                f"{slice_.source} {month} is being landed now (process {match['pid']}); "
                "archive it once that run has ended"
            )


def _write_archive(slice_: LandingSlice, archive: LandingSlice, files: list[Path]) -> None:
    """The landing folder's files, linked or copied into a staging folder, verified, with their
    archive.json, swapped in as the archive's folder."""
    staging = staging_folder(archive)
    try:
        for path in files:
            _place(path, staging / path.relative_to(slice_.folder))
        index = _index(slice_, staging)
        _verify(slice_.folder, index)  # the landing did not change while it was read
        index["archived_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        index["landing"] = str(slice_.folder)
        (staging / ARCHIVE_INDEX).write_text(json.dumps(index, indent=2))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(archive, staging)


def archive_slice(slice_: LandingSlice, archive_root: Path) -> tuple[int, int]:
    """Move one landing folder to the archive; (files, bytes) taken out of the landing."""
    archive = LandingSlice(archive_root, slice_.source, slice_.month)
    mark_archived(slice_, archive)
    files = _files(slice_.folder)
    size = sum(p.stat().st_size for p in files)
    try:
        if archive.folder.exists():  # a run stopped after the archive was written: finish it
            index = _archive_index(archive.folder)
            _verify(slice_.folder, index)
        else:
            _write_archive(slice_, archive, files)
    except BaseException:
        slice_.archived_marker.unlink(missing_ok=True)  # the landing keeps the month, writable
        raise
    _remove(slice_.folder)
    return len(files), size


def archive_months(
    landing_root: Path,
    archive_root: Path,
    before: date,
    sources: Sequence[str] | None,
    url: str,
    log: Callable[[str], None],
) -> ArchiveReport:
    """Archive every landed month before `before` that may be; see the module docstring."""
    report = ArchiveReport()
    with archive_lock(archive_root), connection(url) as conn:
        report.already = sum(  # moved by an earlier run: the marker stays, the folder is gone
            1
            for marker in landing_root.glob("*/*.archived")
            if (not sources or marker.parent.name in sources)
            and parse_month(marker.stem) < before
            and not (marker.parent / marker.stem).exists()
        )
        for slice_ in landed_months(landing_root, sources):
            if slice_.month >= before:
                continue
            month = format_month(slice_.month)
            if reasons := blockers(conn, slice_):
                report.refused.append(f"{slice_.source} {month} is not archived: {'; '.join(reasons)}")
                continue
            try:
                files, size = archive_slice(slice_, archive_root)
            except ArchiveError as error:
                report.refused.append(str(error))
                continue
            report.archived.append((slice_.source, slice_.month, files, size))
            log(f"{slice_.source} {month}: {files} files, {size / 1e6:,.1f} MB archived")  # float ok: a size
    return report


def restore_month(
    landing_root: Path,
    archive_root: Path,
    month: date,
    sources: Sequence[str] | None,
    log: Callable[[str], None],
) -> list[tuple[str, int, int]]:
    """Bring an archived month's landing folders back, verified; (source, files, bytes) each."""
    restored = []
    with archive_lock(archive_root):
        for source_folder in sorted(p for p in archive_root.iterdir() if p.is_dir()):
            if sources and source_folder.name not in sources:
                continue
            archive = LandingSlice(archive_root, source_folder.name, month)
            if not archive.folder.is_dir():
                continue
            slice_ = LandingSlice(landing_root, source_folder.name, month)
            if slice_.folder.exists():
                raise ArchiveError(f"{slice_.folder} exists: {source_folder.name} is landed and archived")
            index = _archive_index(archive.folder)
            _verify(archive.folder, index)
            slice_.folder.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(
                tempfile.mkdtemp(dir=slice_.folder.parent, prefix=f".{format_month(month)}-{os.getpid()}-")
            )
            staging.chmod(0o755)
            files = [p for p in _files(archive.folder) if p.name != ARCHIVE_INDEX]
            size = sum(p.stat().st_size for p in files)
            for path in files:
                _place(path, staging / path.relative_to(archive.folder))
            _verify(staging, index)
            publish(slice_, staging)
            slice_.archived_marker.unlink(missing_ok=True)
            _remove(archive.folder)
            restored.append((source_folder.name, len(files), size))
            log(f"{source_folder.name} {format_month(month)}: {len(files)} files restored to {slice_.folder}")
    if not restored:
        elsewhere = [
            marker.read_text().split(":", 1)[0]  # "<source> <month> is archived in <folder>"
            for marker in sorted(landing_root.glob(f"*/{format_month(month)}.archived"))
            if not sources or marker.parent.name in sources
        ]
        said = f"; the landing says: {'; '.join(elsewhere)} (--to names the archive)" if elsewhere else ""
        raise ArchiveError(f"{archive_root}: no source has {format_month(month)} archived{said}")
    return restored
