"""Listing a folder's files as a person sees them: hidden names left out.

A name starting with a dot is never a delivery or a declaration: NetApp's `.snapshot` folders
hold old copies of every file, a Kubernetes ConfigMap volume holds each file once more in a
hidden timestamped folder (behind `..data`), editors leave `.#name` locks and `.name.swp` files.
Reading them counted costs or keys again. A glob's `**` leaves them out too (Python's glob).
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path


def visible_files(folder: Path, *patterns: str, recursive: bool = False) -> list[Path]:
    """The files of folder whose names match the patterns (at any depth below it when
    recursive), the first pattern's sorted, then the next one's; without hidden names and
    without descending into hidden folders (a snapshot tree is never walked). Links to folders
    are not followed, as pathlib's rglob does not. The folder is walked once for all patterns."""
    found: list[Path] = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")] if recursive else []
        found += [
            Path(root) / name
            for name in names
            if not name.startswith(".") and any(fnmatchcase(name, pattern) for pattern in patterns)
        ]
    files = sorted(path for path in found if path.is_file())
    return [path for pattern in patterns for path in files if fnmatchcase(path.name, pattern)]


def matching_folders(folder: Path, *patterns: str, recursive: bool = False) -> list[Path]:
    """The visible folders (at any depth below folder when recursive) whose names match the
    patterns, sorted: a file's name on a folder, as Docker makes one where a bind-mounted file
    is missing; visible_files passes it over, and what the file declared is gone unseen."""
    found: list[Path] = []
    for root, folders, _ in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [Path(root) / name for name in folders if any(fnmatchcase(name, p) for p in patterns)]
        if not recursive:
            break
    return sorted(found)
