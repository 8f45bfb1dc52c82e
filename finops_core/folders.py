"""Listing a folder's files as a person sees them: hidden names left out.

A name starting with a dot is never a delivery or a declaration: NetApp's `.snapshot` folders
hold old copies of every file, a Kubernetes ConfigMap volume holds each file twice more under
`..data` and a timestamped `..<date>` folder, editors leave `.#name` locks and `.name.swp` files.
Reading them counted costs or keys twice. A glob's `**` leaves them out too (Python's glob).
"""

from __future__ import annotations

from pathlib import Path


def visible_files(folder: Path, pattern: str, *, recursive: bool = False) -> list[Path]:
    """The files of folder matching pattern (below it at any depth when recursive), sorted,
    without those with a hidden name, or inside a hidden folder, below folder."""
    found = folder.rglob(pattern) if recursive else folder.glob(pattern)
    return sorted(
        path
        for path in found
        if not any(part.startswith(".") for part in path.relative_to(folder).parts) and path.is_file()
    )
