"""Landed migrations are frozen: sql/migrations/CHECKSUMS records each one's checksum."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_core import migrations


def test_every_migration_matches_its_recorded_checksum() -> None:
    assert migrations.manifest_problems() == []


def test_an_edited_or_unrecorded_migration_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for source in migrations.MIGRATIONS_DIR.iterdir():
        if source.name.endswith(".sql") or source.name == migrations.MANIFEST:
            (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    first = sorted(tmp_path.glob("0001_*.sql"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n-- an afterthought\n", encoding="utf-8")
    (tmp_path / "0099_new_table.sql").write_text("CREATE TABLE finops.t (x int);\n", encoding="utf-8")
    (tmp_path / "0005_backstage_groups.sql").unlink()
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", tmp_path)

    problems = migrations.manifest_problems()

    assert problems[0] == (
        "0001_mart.sql was edited after it landed: a landed migration is never edited; restore it "
        "and add a new migration with the change"
    )
    assert problems[1].startswith("0099_new_table.sql is not in CHECKSUMS: add the line `0099_new_table ")
    assert problems[2] == "0005_backstage_groups is in CHECKSUMS but its file is missing"
    assert len(problems) == 3


def test_no_migration_found_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", tmp_path)
    with pytest.raises(
        migrations.MigrationError, match=r"no migration found in .*: the installation is incomplete"
    ):
        migrations.upgrade("postgresql://unused.invalid/none")
