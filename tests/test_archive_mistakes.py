"""`finops archive` run by mistake: against another mart, beyond the current month, with a typo,
into a file, or restoring from the wrong folder: refused in one line, the landing left whole."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from finops_cli.main import main
from finops_core.months import format_month
from tests.conftest import _create, _drop
from tests.test_archive import _tree, platform  # noqa: F401  (a fixture)


def test_a_landing_archived_against_a_mart_that_never_loaded_it_is_refused(
    admin_url: str,
    migrated_template: str,
    platform: dict[str, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    landing = platform["landing"]
    before = _tree(landing)
    other = f"{migrated_template}_other"  # migrated, but no month loaded in it
    monkeypatch.setenv("FINOPS_DATABASE_URL", _create(admin_url, other, template=migrated_template))
    try:
        assert main(["archive", "--before", "2025-03"]) == 1
    finally:
        _drop(admin_url, other)
    err = capsys.readouterr().err
    for month in ("2025-01", "2025-02"):
        assert (
            f"cloud {month} is not archived: not loaded: the mart holds no load of it: is "
            "FINOPS_DATABASE_URL the mart of this landing?"
        ) in err
    assert "archived 0 month folder(s)" in err and "2 refused" in err
    assert _tree(landing) == before


def test_archive_mistakes_are_usage_errors_that_move_nothing(
    platform: dict[str, Path],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    landing = platform["landing"]
    before = _tree(landing)
    current = datetime.now(UTC).date().replace(day=1)
    after = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    capsys.readouterr()

    assert main(["archive", "--before", format_month(after)]) == 2
    assert capsys.readouterr().err == (
        f"finops: error: --before {format_month(after)} would archive the current month "
        f"{format_month(current)}, whose bill is still delivered: at most --before {format_month(current)}\n"
    )
    assert main(["archive", "--before", "2025-03", "--source", "clod"]) == 2
    assert "unknown source 'clod'" in capsys.readouterr().err
    a_file = tmp_path / "archive-is-a-file"
    a_file.write_text("")
    assert main(["archive", "--before", "2025-03", "--to", str(a_file)]) == 2
    assert capsys.readouterr().err.startswith("finops: error: ")
    assert _tree(landing) == before


def test_a_restore_from_the_wrong_folder_says_where_the_month_went(
    platform: dict[str, Path],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = tmp_path / "cold-storage"
    assert main(["archive", "--before", "2025-02", "--to", str(elsewhere)]) == 0
    capsys.readouterr()
    assert main(["archive", "--restore", "2025-01"]) == 2  # from $FINOPS_HOME/archive
    assert capsys.readouterr().err == (
        f"finops: error: {platform['archive'].parent}: no source has 2025-01 archived; the landing says: "
        f"cloud 2025-01 is archived in {elsewhere / 'cloud' / '2025-01'} (--to names the archive)\n"
    )
    index = elsewhere / "cloud" / "2025-01" / "archive.json"
    index.write_text("{truncated")
    assert main(["archive", "--restore", "2025-01", "--to", str(elsewhere)]) == 2
    assert capsys.readouterr().err.startswith(
        f"finops: error: {index}: not the archive's index (Expecting property name"
    )
    assert not (platform["landing"] / "2025-01").exists()  # left archived
