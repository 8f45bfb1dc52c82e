"""`finops archive`: old months' landing folders to an archive folder and back, through the
real command line, the real asset graph, the real PostgreSQL and the real API."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pytest
from litestar.testing import TestClient

from finops_api.app import create_app
from finops_assets.demo.generator.spec import DemoSpec
from finops_assets.demo.generator.writer import write_dataset
from finops_assets.faults import KILL_AFTER
from finops_cli.main import main
from finops_core.api_config import ApiConfig, AuthConfig

MONTHS = (date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1))
LANDED = ["facts.parquet", "lines.parquet", "manifest.json", "products.parquet", "rejects.parquet"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under folder: (size, sha256), computed here, apart from the code under test."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, _sha256(p))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def platform(mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    return materialized(tmp_path, monkeypatch)


def materialized(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    months: tuple[date, ...] = MONTHS,
    fmt: Literal["parquet", "csv"] = "parquet",
) -> dict[str, Path]:
    """Months of FOCUS files (2,000 rows each, Parquet by default) materialized through
    `finops materialize`."""
    files = tmp_path / "focus"
    spec = DemoSpec(months=months, rows_per_month=2_000, applications=8, products=12)
    write_dataset(spec, files, fmt)
    config = tmp_path / "finops.yaml"
    config.write_text(
        "start_month: '2025-01'\nsources:\n"
        f"  - {{name: cloud, kind: focus, path: '{files}', application_tag: application}}\n"
    )
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))
    assert main(["materialize", "--from", f"{months[0]:%Y-%m}", "--to", f"{months[-1]:%Y-%m}"]) == 0
    home = tmp_path / "home"
    return {"files": files, "landing": home / "landing" / "cloud", "archive": home / "archive" / "cloud"}


def _answers(url: str) -> list[Any]:
    """What the dashboards ask about the three months, as the real app answers it."""
    period = {"from": "2025-01", "to": "2025-03"}
    asks = [
        ("/api/v1/costs", {"group_by": "month", **period}),
        ("/api/v1/costs", {"group_by": "month,application,product", **period}),
        ("/api/v1/costs/compare", {"against_period": "previous_month", "group_by": "family", **period}),
        ("/api/v1/loads", {"month": "2025-01"}),
    ]
    with TestClient(app=create_app(url, api=ApiConfig(auth=AuthConfig(mode="none")))) as client:
        answers = []
        for path, params in asks:
            response = client.get(path, params=params)
            assert response.status_code == 200, response.text
            answers.append(response.json())
    return answers


def test_archive_moves_old_months_keeps_the_answers_and_restores(
    mart_url: str, platform: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    landing, archive = platform["landing"], platform["archive"]
    before = {month: _tree(landing / month) for month in ("2025-01", "2025-02", "2025-03")}
    for month, tree in before.items():  # the landing: 5 files and the provider's file copied
        assert sorted(tree) == sorted([*LANDED, f"source_files/000_focus_{month}.parquet"])
        provider = platform["files"] / f"focus_{month}.parquet"
        assert tree[f"source_files/000_focus_{month}.parquet"] == (provider.stat().st_size, _sha256(provider))
    answers = _answers(mart_url)
    expected = {  # the provider's own totals, read here from its files
        (month, currency): total
        for month in before
        for currency, total in pl.read_parquet(platform["files"] / f"focus_{month}.parquet")
        .group_by("BillingCurrency")
        .agg(pl.col("EffectiveCost").sum())
        .iter_rows()
    }
    assert len(expected) == 6
    assert {(r["month"], r["currency"]): D(r["cost"]) for r in answers[0]["rows"]} == expected
    capsys.readouterr()

    assert main(["archive", "--before", "2025-03"]) == 0
    moved = sum(size for month in ("2025-01", "2025-02") for size, _ in before[month].values())
    err = capsys.readouterr().err
    assert f"archived 2 month folder(s) before 2025-03 to {archive.parent} ({moved / 1e6:,.1f} MB" in err
    assert "0 already archived; 0 refused" in err
    for month in ("2025-01", "2025-02"):
        assert not (landing / month).exists()
        assert f"is archived in {archive / month}" in (landing / f"{month}.archived").read_text()
        assert _tree(archive / month) == before[month] | {
            "archive.json": _tree(archive / month)["archive.json"]
        }
        index = json.loads((archive / month / "archive.json").read_text())
        assert index["files"] == {name: {"size": s, "sha256": h} for name, (s, h) in before[month].items()}
    assert _tree(landing / "2025-03") == before["2025-03"]
    assert _answers(mart_url) == answers  # the mart is untouched: every total identical

    assert main(["archive", "--before", "2025-03"]) == 0  # idempotent
    err = capsys.readouterr().err
    assert "archived 0 month folder(s) before 2025-03" in err and "2 already archived; 0 refused" in err

    # landing an archived month again is refused, saying where it is and how to restore it
    assert main(["materialize", "--month", "2025-01"]) == 1
    err = capsys.readouterr().err
    assert f"cloud 2025-01 is archived in {archive / '2025-01'}" in err
    assert f"`finops archive --restore 2025-01 --to {archive.parent}`" in err
    assert _answers(mart_url) == answers

    assert main(["archive", "--restore", "2025-01"]) == 0
    assert _tree(landing / "2025-01") == before["2025-01"]
    assert not (landing / "2025-01.archived").exists() and not (archive / "2025-01").exists()
    assert main(["materialize", "--month", "2025-01"]) == 0
    assert _answers(mart_url)[:3] == answers[:3]  # the same totals; the load audit has one more
    assert main(["archive", "--restore", "2025-01"]) == 2  # nothing archived for it any more
    assert "no source has 2025-01 archived" in capsys.readouterr().err


def test_a_held_month_is_refused_and_a_month_being_landed_too(
    mart_url: str, platform: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    landing = platform["landing"]
    (platform["files"] / "focus_2025-03.parquet").unlink()  # an empty delivery: held
    assert main(["materialize", "--month", "2025-03"]) == 1
    staging = landing / f".2025-02-{os.getpid()}-test"  # a live run landing 2025-02
    staging.mkdir()
    capsys.readouterr()

    assert main(["archive", "--before", "2025-04"]) == 1
    err = capsys.readouterr().err
    assert "error: cloud 2025-03 is not archived: held: its last delivery attempt was held (" in err
    assert f"error: cloud 2025-02 is being landed now (process {os.getpid()})" in err
    assert "archived 1 month folder(s) before 2025-04" in err and "2 refused" in err
    assert (landing / "2025-02").is_dir() and not (landing / "2025-02.archived").exists()
    assert (landing / "2025-03").is_dir() and not (landing / "2025-01").exists()

    staging.rmdir()
    assert main(["archive", "--before", "2025-03"]) == 0
    assert "archived 1 month folder(s) before 2025-03" in capsys.readouterr().err


def test_one_archive_run_at_a_time(platform: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    platform["archive"].parent.mkdir(parents=True)
    with (platform["archive"].parent / ".archive.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["archive", "--before", "2025-03"]) == 2
    assert "another `finops archive` is running on" in capsys.readouterr().err
    assert (platform["landing"] / "2025-01").is_dir()


def test_linked_source_files_cost_no_byte_and_a_file_rewritten_in_place_is_refused(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FINOPS_LANDING_SOURCE_FILES", "link")
    platform = materialized(tmp_path, monkeypatch)
    landing, archive = platform["landing"], platform["archive"]
    for month in ("2025-01", "2025-02", "2025-03"):
        provider = (platform["files"] / f"focus_{month}.parquet").stat()
        landed = (landing / month / "source_files" / f"000_focus_{month}.parquet").stat()
        assert (landed.st_ino, landed.st_nlink) == (provider.st_ino, 2)  # one file, two names
    rewritten = platform["files"] / "focus_2025-02.parquet"
    with rewritten.open("r+b") as handle:  # a provider rewriting its file in place
        handle.seek(100)
        handle.write(b"\x00")
    capsys.readouterr()

    assert main(["archive", "--before", "2025-03"]) == 1
    err = capsys.readouterr().err
    recorded = json.loads((landing / "2025-02" / "manifest.json").read_text())["files"][0]["sha256"]
    assert (
        f"error: {landing / '2025-02' / 'source_files' / '000_focus_2025-02.parquet'}: its sha256 is not "
        f"the one recorded when the provider's file was read ({recorded}); cloud 2025-02 is not archived"
    ) in err
    assert "archived 1 month folder(s)" in err and "1 refused" in err
    assert (landing / "2025-02").is_dir() and not (landing / "2025-02.archived").exists()
    assert not (archive / "2025-02").exists() and (archive / "2025-01").is_dir()
    provider = (platform["files"] / "focus_2025-01.parquet").stat()  # the provider's, the archive's
    assert (
        archive / "2025-01" / "source_files" / "000_focus_2025-01.parquet"
    ).stat().st_ino == provider.st_ino


def test_an_unknown_landing_mode_is_a_usage_error(
    platform: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FINOPS_LANDING_SOURCE_FILES", "symlink")
    assert main(["archive", "--before", "2025-03"]) == 2
    assert (
        "finops: error: FINOPS_LANDING_SOURCE_FILES=symlink: expected clone, copy or link"
        in capsys.readouterr().err
    )


def test_a_stale_month_is_refused(
    mart_url: str, platform: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A run killed (SIGKILL) right after its consumption step: the month's layers disagree."""
    february = platform["files"] / "focus_2025-02.parquet"  # re-delivered corrected: new facts
    pl.read_parquet(february).with_columns(pl.col("EffectiveCost") * 2).write_parquet(february)
    env = os.environ | {KILL_AFTER: "cloud/consumption"}
    command = [sys.executable, "-m", "finops_cli.main", "materialize", "--month", "2025-02"]
    assert subprocess.run(command, env=env, capture_output=True, check=False).returncode == -signal.SIGKILL
    capsys.readouterr()

    assert main(["archive", "--before", "2025-03"]) == 1
    err = capsys.readouterr().err
    assert "error: cloud 2025-02 is not archived: stale: its mart layers disagree (versions: " in err
    assert "archived 1 month folder(s) before 2025-03" in err and "1 refused" in err
    assert (platform["landing"] / "2025-02").is_dir() and not (platform["landing"] / "2025-01").exists()


def test_a_run_stopped_after_writing_the_archive_is_finished_by_the_next(
    platform: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    landing, archive = platform["landing"], platform["archive"]
    before = _tree(landing / "2025-01")
    assert main(["archive", "--before", "2025-02"]) == 0
    # what a run killed between writing the archive and removing the landing folder leaves
    (landing / "2025-01").mkdir()
    for name in before:
        (landing / "2025-01" / name).parent.mkdir(exist_ok=True)
        (landing / "2025-01" / name).write_bytes((archive / "2025-01" / name).read_bytes())
    capsys.readouterr()

    assert main(["archive", "--before", "2025-02"]) == 0
    assert "archived 1 month folder(s) before 2025-02" in capsys.readouterr().err
    assert not (landing / "2025-01").exists() and (landing / "2025-01.archived").exists()
    assert {k: v for k, v in _tree(archive / "2025-01").items() if k != "archive.json"} == before

    # the same, but the landing differs from the archive: refused, the landing left writable
    assert main(["archive", "--restore", "2025-01"]) == 0
    (archive / "2025-01").mkdir(parents=True)
    (archive / "2025-01" / "archive.json").write_text(json.dumps({"files": {"facts.parquet": {}}}))
    capsys.readouterr()
    assert main(["archive", "--before", "2025-02"]) == 1
    assert f"error: {landing / '2025-01'}: holds " in capsys.readouterr().err
    assert (landing / "2025-01").is_dir() and not (landing / "2025-01.archived").exists()


def test_a_csv_month_keeps_the_provider_s_bytes_and_its_lines_point_into_them(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    platform = materialized(tmp_path, monkeypatch, MONTHS[:2], "csv")
    landing = platform["landing"]
    provider = platform["files"] / "focus_2025-01.csv"
    before = _tree(landing / "2025-01")
    assert sorted(before) == sorted([*LANDED, "source_files/000_focus_2025-01.csv"])
    assert before["source_files/000_focus_2025-01.csv"] == (provider.stat().st_size, _sha256(provider))
    # a landed line's (_file, _line) is its record in the kept file: the same cost, read here
    records = pl.read_csv(landing / "2025-01" / "source_files" / "000_focus_2025-01.csv", infer_schema=False)
    lines = pl.read_parquet(landing / "2025-01" / "lines.parquet")
    assert lines.height == records.height == 2_000
    assert set(lines["_file"]) == {"source_files/000_focus_2025-01.csv"}
    pointed = records.with_row_index("_line", offset=1).join(lines, on="_line")
    assert pointed.height == 2_000
    same_cost = pl.col("EffectiveCost").str.to_decimal(scale=18) == pl.col("cost")
    assert pointed.select(same_cost).to_series().all()
    capsys.readouterr()

    assert main(["archive", "--before", "2025-02"]) == 0
    assert "archived 1 month folder(s) before 2025-02" in capsys.readouterr().err
    assert _tree(platform["archive"] / "2025-01").items() > before.items()
    assert main(["archive", "--restore", "2025-01"]) == 0
    assert _tree(landing / "2025-01") == before
