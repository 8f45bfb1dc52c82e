"""`finops materialize` records its runs in DAGSTER_HOME's instance only when it writes the mart
that instance serves; the UI's runs into another mart are refused."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterResourceFunctionError, RunsFilter, materialize

from finops_assets.graph import build_assets
from finops_assets.instance import MART_TAG
from finops_assets.resources import MartResource
from finops_cli.main import main
from finops_core.config import load_config
from finops_core.database import database_identity
from tests.pipeline import query
from tests.test_cli import sample_config


def test_cli_runs_are_recorded_only_in_the_instance_of_their_mart(
    mart_url: str,
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample_config(tmp_path, monkeypatch)
    (tmp_path / "dagster").mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    served, other = database_identity(mart_url), database_identity(empty_database_url)

    monkeypatch.setenv("FINOPS_DATABASE_URL", mart_url)
    assert main(["materialize", "--month", "2024-09"]) == 0
    monkeypatch.setenv("FINOPS_DATABASE_URL", empty_database_url)
    assert main(["materialize", "--month", "2024-09"]) == 0

    err = capsys.readouterr().err
    assert err.count("note: ") == 1
    assert (
        f"note: not recorded in the Dagster instance of DAGSTER_HOME: it serves the mart {served}, "
        f"this run writes {other}"
    ) in err
    # both marts were written; the instance holds the first run only, tagged with its mart
    month = date(2024, 9, 1)
    for url in (mart_url, empty_database_url):
        assert query(url, "SELECT count(*) > 0 FROM finops.fact_consumption WHERE month = %s", month) == [
            (True,)
        ]
    with DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert [run.tags[MART_TAG] for run in runs] == [served]
        assert len(instance.get_runs(filters=RunsFilter(tags={MART_TAG: other}))) == 0

        # a run launched as the UI does, into the other mart, is refused before any step
        mart = MartResource(database_url=empty_database_url, landing_dir=str(tmp_path / "landing"))
        config = load_config(tmp_path / "finops.yaml")
        with pytest.raises(DagsterResourceFunctionError) as error:
            materialize(build_assets(config), partition_key="2024-09-01", resources={"mart": mart},
                        instance=instance, selection=["sample/billing_lines"])  # fmt: skip
        assert str(error.value.__cause__) == (
            f"this Dagster instance serves the mart {served}; this run would write {other}: "
            "use the DAGSTER_HOME of that mart, or another one"
        )


@pytest.mark.parametrize(
    ("home", "dagster_yaml", "reason"),
    [
        ("absent", None, r'\$DAGSTER_HOME ".*absent" is not a directory or does not exist'),
        ("relative", None, r'\$DAGSTER_HOME "relative" must be an absolute path'),
        ("broken", "storage: [\n", r'found .<stream end>. in ".*dagster.yaml", line 2, column 1'),
        (  # the schema's fields came first, and the cause past the cut
            "unset",
            "storage:\n  postgres:\n    postgres_url:\n      env: FINOPS_TEST_UNSET\n",
            r'You have attempted to fetch the environment variable "FINOPS_TEST_UNSET" which is not set\.',
        ),
    ],
)
def test_a_dagster_home_dagster_cannot_open_is_one_line(
    mart_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    home: str,
    dagster_yaml: str | None,
    reason: str,
) -> None:
    sample_config(tmp_path, monkeypatch)
    folder = tmp_path / home
    if dagster_yaml is not None:
        folder.mkdir()
        (folder / "dagster.yaml").write_text(dagster_yaml)
    monkeypatch.setenv("DAGSTER_HOME", home if home == "relative" else str(folder))
    assert main(["materialize", "--month", "2024-09"]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        rf"finops: error: DAGSTER_HOME=.*: Dagster's instance could not be opened: .*{reason}.* "
        r"\(unset DAGSTER_HOME to record the runs in memory\)\n",
        err,
    ), err
    assert query(mart_url, "SELECT count(*) FROM finops.load_audit") == [(0,)]
