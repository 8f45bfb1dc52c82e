"""The `finops` command line, run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_cli.main import main
from finops_core.database import as_url
from tests.conftest import SAMPLES
from tests.pipeline import query


def test_materialize_prints_progress_and_summary(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "sources:\n"
        f"  - {{name: sample, kind: focus, path: '{SAMPLES / 'focus' / 'focus_sample.csv'}',"
        " cost_column: BilledCost, application_tag: application}\n"
    )
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))

    assert main(["db", "upgrade"]) == 0
    assert main(["materialize", "--month", "2024-09"]) == 0

    err = capsys.readouterr().err
    assert "schema up to date" in err
    assert "sample: 999 rows read, 999 loaded, 0 rejected; USD 20.28022672899" in err
    assert "2024-09: ok" in err
    assert query(mart_url, "SELECT count(*) FROM finops.load_audit") == [(1,)]
    assert (tmp_path / "home" / "landing" / "sample" / "2024-09" / "lines.parquet").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["materialize", "--month", "2024-9"], "'2024-9' is not a month; expected YYYY-MM"),
        (["materialize", "--month", "2024-09", "--source", "gcp"], "unknown source 'gcp'"),
    ],
)
def test_materialize_bad_arguments_exit_2_with_a_message(
    mart_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text("sources:\n  - {name: aws, kind: focus, path: bills}\n")
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_demo_loads_every_month_through_the_dagster_instance(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "start_month: '2020-01'\nsources:\n"
        "  - {name: demo, kind: focus, path: demo/focus, application_tag: application}\n"
    )
    # demo() points these at what it uses; monkeypatch puts them back afterwards
    for name, value in {
        "FINOPS_CONFIG": str(config),
        "FINOPS_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path / "unused"),
        "FINOPS_DAGSTER_STORAGE_URL": as_url(mart_url),
    }.items():
        monkeypatch.setenv(name, value)

    assert main(["demo", "--no-serve", "--months", "2", "--rows-per-month", "400"]) == 0

    err = capsys.readouterr().err
    assert err.count("400 rows read, 400 loaded, 0 rejected") == 2
    assert len(list((tmp_path / "demo" / "focus").glob("focus_*.parquet"))) == 2
    assert query(mart_url, "SELECT count(DISTINCT month), sum(line_count) FROM finops.fact_consumption") == [
        (2, 800)
    ]
    # the runs are in the Dagster instance the UI reads (run storage in the mart's database)
    (runs,) = query(mart_url, "SELECT count(*) FROM public.runs WHERE status = 'SUCCESS'")[0]
    assert runs == 2
