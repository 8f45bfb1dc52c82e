"""The landing layer: each (source, month)'s normalised billing lines and rejects as Parquet,
for drill-down, lineage and re-processing without re-reading the provider's files.

    <root>/<source>/<YYYY-MM>/manifest.json     files read (sha256), counts, totals, lines_layout
                             /lines.parquet     the lines (see lines_layout below)
                             /source_files/     clones, copies or hard links of Parquet and CSV
                                                inputs (lines_layout `source_files`: lines.parquet
                                                then holds the normalised columns, `_file` and
                                                `_line`)
                             /rejects.parquet   rejected rows with column and reason
                             /facts.parquet     the lines aggregated to the fact grain
                             /products.parquet  the products the facts use
    <root>/<source>/<YYYY-MM>.archived  while the month's folder is archived (archive.py)
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from finops_core.months import format_month
from finops_core.settings import Settings

# What every source lands for the mart load: facts at this grain (plus quantity, source_cost
# and line_count) and the products they use.
FACT_KEYS = ("application_code", "product_code", "sub_account_id", "region_id", "currency", "unit")
SOURCE_FILES = "source_files"
_STAGING = re.compile(r"\.(?:\d{4}-\d{2}|old)-(?:(?P<pid>\d+)-)?[^-]+")
"""A staging folder (.<YYYY-MM>-<pid>-<random>) or an old one being removed (.old-<pid>-...)."""
PRODUCT_COLUMNS = ("product_code", "product_name", "family_code", "family_name", "unit", "is_monetary")


class ArchivedMonthError(RuntimeError):
    """The month's landing is archived: it is not written again until it is restored."""


@dataclass(frozen=True)
class LandingSlice:
    root: Path
    source: str
    month: date

    @property
    def folder(self) -> Path:
        return self.root / self.source / format_month(self.month)

    @property
    def lines(self) -> Path:
        return self.folder / "lines.parquet"

    @property
    def rejects(self) -> Path:
        return self.folder / "rejects.parquet"

    @property
    def facts(self) -> Path:
        return self.folder / "facts.parquet"

    @property
    def products(self) -> Path:
        return self.folder / "products.parquet"

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def archived_marker(self) -> Path:
        """Present while the month is archived (finops_assets/archive.py): it says where."""
        return self.folder.with_name(f"{format_month(self.month)}.archived")

    def read_manifest(self) -> dict[str, Any]:
        if not self.manifest.exists():
            raise FileNotFoundError(
                f"{self.folder}: no landed lines for {self.source} {format_month(self.month)}; "
                "materialize its billing_lines asset first"
            )
        manifest: dict[str, Any] = json.loads(self.manifest.read_text())
        return manifest


def publish(slice_: LandingSlice, staging: Path) -> None:
    """Swap a fully written staging folder in for the slice, so a reader never sees half a
    month: the old folder is renamed away, the new one renamed in, then the old one removed.
    Runs landing the source at once swap one after the other (a lock on the source's folder
    itself: no lock file): between one's two renames the other's folder could land, and renaming
    a folder onto a folder that is not empty fails (seen: 1 of 4 concurrent `finops materialize`
    of one month)."""
    target = slice_.folder
    target.parent.mkdir(parents=True, exist_ok=True)
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".old-{os.getpid()}-"))
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)  # released when the descriptor closes
        if target.exists():
            os.replace(target, old / "slice")
        os.replace(staging, target)
    finally:
        os.close(folder)
    shutil.rmtree(old, ignore_errors=True)


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link when both are on one filesystem (no byte written), else a byte copy."""
    try:
        os.link(source, target)
    except OSError:  # another filesystem (or links refused)
        shutil.copyfile(source, target)


FICLONE: Final = 0x40049409
"""Linux's ioctl that makes a file a copy-on-write clone of another (linux/fs.h)."""


def clone_or_copy(source: Path, target: Path) -> None:
    """A copy-on-write clone when the filesystem makes them and both are on it (XFS, btrfs: no
    byte written, and a later write to either leaves the other as it was), else a byte copy."""
    with source.open("rb") as original, target.open("wb") as clone:
        try:
            fcntl.ioctl(clone.fileno(), FICLONE, original.fileno())
            return
        except OSError:  # not supported here (ext4: EOPNOTSUPP), or another filesystem (EXDEV)
            pass
    shutil.copyfile(source, target)


KEEPS: Final[dict[str, Callable[[Path, Path], object]]] = {
    "clone": clone_or_copy,
    "copy": shutil.copyfile,
    "link": link_or_copy,
}
"""How the landing keeps a provider's file, by FINOPS_LANDING_SOURCE_FILES (finops_core/settings.py)."""


def keep_source_files(used: list[Path], landed: dict[str, str], staging: Path) -> None:
    """The landing's copies of the provider's files (`landed`: where each goes in the staging
    folder): clones where the filesystem makes them, else byte copies; byte copies always under
    FINOPS_LANDING_SOURCE_FILES=copy, hard links under `link` when both are on one filesystem."""
    keep = KEEPS[Settings.from_env().landing_source_files]
    (staging / SOURCE_FILES).mkdir()
    for path in used:
        keep(path, staging / landed[str(path)])


@contextmanager
def source_files_kept(used: list[Path], landed: dict[str, str] | None, staging: Path) -> Iterator[None]:
    """keep_source_files in a thread while the body reads and lands the month (nothing when
    `landed` is None), waited for on leaving, its error raised: a 1M-line CSV month's 826 MB copy
    (0.39 s) overlaps its landing instead of following it (3.37-3.48 s against 3.72-3.83 s). A
    delivery the gate then holds has its copies removed with the rest of the staging folder."""
    if landed is None:
        yield
        return
    with ThreadPoolExecutor(1, thread_name_prefix="keep-source-files") as keeper:
        kept = keeper.submit(keep_source_files, used, landed, staging)
        yield
        kept.result()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_orphans(source_folder: Path) -> list[Path]:
    """Staging and old folders whose writer is gone (killed mid-write): their names carry the
    writer's process id. Folders named before that (no id) are orphans once an hour old."""
    removed = []
    for folder in source_folder.glob(".*-*"):
        match = _STAGING.fullmatch(folder.name)
        if match is None or not folder.is_dir():
            continue
        if match["pid"] is not None:
            orphan = not _alive(int(match["pid"]))
        else:
            orphan = time.time() - folder.stat().st_mtime > 3600
        if orphan:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def staging_folder(slice_: LandingSlice) -> Path:
    slice_.folder.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(slice_.folder.parent)
    prefix = f".{format_month(slice_.month)}-{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(dir=slice_.folder.parent, prefix=prefix))
    staging.chmod(0o755)  # mkdtemp makes it private; the landing is for every reader
    if slice_.archived_marker.exists():  # checked after mkdtemp: see archive.py, mark_archived
        shutil.rmtree(staging)
        raise ArchivedMonthError(slice_.archived_marker.read_text().strip())
    return staging
