"""The landing's copies of the provider's files as copy-on-write clones (the default,
FINOPS_LANDING_SOURCE_FILES=clone): no byte written where the filesystem makes clones, a byte
copy elsewhere, and in both cases a file of its own that the provider's rewrites leave alone.

The test that measures the disk needs a filesystem that makes clones: FINOPS_TEST_REFLINK_DIR
names a folder on one (.ci/run mounts an XFS image on a loop device for it when it runs as root).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_assets.landing import SOURCE_FILES, clone_or_copy, keep_source_files
from finops_core.settings import Settings

MB = 1 << 20


def provider_file(folder: Path, size: int) -> Path:
    path = folder / "focus_2025-01.parquet"
    path.write_bytes(os.urandom(size))
    return path


def used_bytes(folder: Path) -> int:
    os.sync()  # the blocks just written are counted once they are allocated
    stats = os.statvfs(folder)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def rewritten_in_place(path: Path) -> None:
    """What a provider's tool that truncates and rewrites its export does: the same inode."""
    with path.open("r+b") as handle:
        handle.write(b"rewritten by the provider")


def test_the_landing_clones_the_providers_files_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINOPS_LANDING_SOURCE_FILES", raising=False)
    assert Settings.from_env().landing_source_files == "clone"


def test_a_clone_where_the_filesystem_makes_none_is_a_byte_copy_of_its_own(tmp_path: Path) -> None:
    provider = provider_file(tmp_path, 3 * MB + 17)
    landed = tmp_path / "landed.parquet"
    digest = hashlib.sha256(provider.read_bytes()).hexdigest()

    clone_or_copy(provider, landed)
    rewritten_in_place(provider)

    assert landed.stat().st_size == 3 * MB + 17
    assert landed.stat().st_ino != provider.stat().st_ino
    assert hashlib.sha256(landed.read_bytes()).hexdigest() == digest


@pytest.fixture
def cloning_folder() -> Iterator[Path]:
    """A new folder on the filesystem FINOPS_TEST_REFLINK_DIR is on, removed after the test."""
    where = os.environ.get("FINOPS_TEST_REFLINK_DIR")
    if not where:
        pytest.skip("FINOPS_TEST_REFLINK_DIR names no folder on a filesystem that makes clones (XFS, btrfs)")
    folder = Path(tempfile.mkdtemp(dir=where, prefix="landing-clone-"))
    yield folder
    shutil.rmtree(folder)


def test_a_landing_on_a_cloning_filesystem_writes_none_of_the_providers_bytes(
    cloning_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FINOPS_LANDING_SOURCE_FILES", raising=False)
    root = cloning_folder
    provider = provider_file(root, 64 * MB)
    digest = hashlib.sha256(provider.read_bytes()).hexdigest()
    staging = root / "staging"
    staging.mkdir()
    before = used_bytes(root)

    keep_source_files([provider], {str(provider): f"{SOURCE_FILES}/000_{provider.name}"}, staging)

    landed = staging / SOURCE_FILES / f"000_{provider.name}"
    assert landed.stat().st_size == 64 * MB
    assert used_bytes(root) - before < MB  # a byte copy would take 64 MB
    rewritten_in_place(provider)
    assert hashlib.sha256(landed.read_bytes()).hexdigest() == digest  # not a hard link
