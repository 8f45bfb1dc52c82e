"""Which billing months each file of a source holds, kept per file content (its sha256) in a
small JSON index in the landing folder, so that materializing one month reads only the files
that hold it, and a file is hashed again only when it changed."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def content_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class FileMonthIndex:
    """Months per file content (sha256), on disk. A file's hash is re-computed only when its
    (size, mtime, ctime, inode) changed: restoring an mtime changes the ctime, which no user
    can set, so a rewritten file is always hashed again, and an unchanged one never is."""

    def __init__(self, index_path: Path) -> None:
        self.index_path = index_path
        self._months: dict[str, list[str]] = {}
        self._hashes: dict[str, dict[str, object]] = {}
        self._changed = False
        if index_path.exists():
            try:
                entries = json.loads(index_path.read_text())
            except ValueError:
                entries = {}  # a torn or foreign file: rebuild it
            if isinstance(entries, dict) and entries.get("layout") == "sha256":  # else: rebuild
                self._months, self._hashes = entries["months"], entries["files"]

    @staticmethod
    def _stamp(path: Path) -> list[int]:
        stat = path.stat()
        return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]

    def hashed(self, path: Path) -> bool:
        """Whether the index knows the file's sha256 as it is now (content_hash reads nothing)."""
        known = self._hashes.get(str(path.resolve()))
        return known is not None and known.get("stamp") == self._stamp(path)

    def content_hash(self, path: Path) -> str:
        """The file's sha256, computed only when the file changed since the index last saw it:
        the month's plan and its manifest read it from here, so a month hashes a file once."""
        stamp = self._stamp(path)
        key = str(path.resolve())
        known = self._hashes.get(key)
        if known is not None and known.get("stamp") == stamp:
            return str(known["sha256"])
        digest = content_hash(path)
        self._hashes[key] = {"stamp": stamp, "sha256": digest}
        self._changed = True
        return digest

    def lookup(self, path: Path) -> frozenset[str] | None:
        """The months of the file's current content if indexed, else None."""
        months = self._months.get(self.content_hash(path))
        if months is None:
            return None
        if self._changed:  # a file touched but not changed: keep its new stamp
            self._save()
        return frozenset(months)

    def store(self, path: Path, months: set[str]) -> frozenset[str]:
        self._months[self.content_hash(path)] = sorted(months)
        self._save()
        return frozenset(months)

    def _save(self) -> None:
        # write-then-rename: a concurrent run sees the old index or the new one, never half
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.index_path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump({"layout": "sha256", "months": self._months, "files": self._hashes}, handle)
        os.replace(tmp, self.index_path)
        self._changed = False
