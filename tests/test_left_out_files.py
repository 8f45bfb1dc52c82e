"""Files of a source's folder that are not of a type it reads are said, not skipped in silence: a
bill re-sent as .xlsx used to leave its month with a smaller delivery and no word why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from finops_assets.sources.files import left_out_files
from finops_cli.main import main
from tests.conftest import SAMPLES
from tests.pipeline import fact_total
from tests.test_cli import BILLED_AND_TAGGED, sample_config

SAMPLE = SAMPLES / "focus" / "focus_sample.csv"


def delivery_folder(root: Path) -> Path:
    """The sample's bill, with what lies beside real exports and what a user might put there."""
    bills = root / "bills"
    (bills / "2024" / "09").mkdir(parents=True)
    (bills / "2024" / "09" / "focus_sample.csv").write_bytes(SAMPLE.read_bytes())
    for name in ("bill-2024-10.xlsx", "2024/09/correction.zip", "notes.txt"):  # left out: said
        (bills / name).write_bytes(b"x")
    companions = (
        "2024/09/manifest.json",
        "_SUCCESS",
        ".DS_Store",
        "crawler-cfn.yml",
        "2024/09/r-create-table.sql",
    )
    for name in companions:  # an export's companions: not said
        (bills / name).write_bytes(b"{}")
    return bills


def test_the_files_of_another_type_are_listed_without_an_export_s_companions(tmp_path: Path) -> None:
    bills = delivery_folder(tmp_path)
    expected = [bills / "2024/09/correction.zip", bills / "bill-2024-10.xlsx", bills / "notes.txt"]
    assert left_out_files(bills) == expected
    assert left_out_files(Path(f"{bills}/**/*"), (".csv",)) == expected  # a glob's matches
    assert left_out_files(bills, (".csv", ".txt", ".xlsx", ".zip")) == []
    assert left_out_files(bills / "notes.txt") == []  # a single file of another type is an error elsewhere
    assert left_out_files(tmp_path / "missing") == []  # as is a path that does not exist


def test_materialize_says_which_files_it_left_out_and_loads_the_others(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bills = delivery_folder(tmp_path)
    sample_config(tmp_path, monkeypatch, BILLED_AND_TAGGED, bills)
    assert main(["materialize", "--month", "2024-09"]) == 0
    err = capsys.readouterr().err
    assert (
        f"  logged: 2024-09 sample__billing_lines: 3 file(s) of {bills} left out, of a type this source "
        "does not read (it reads .csv, .csv.gz, .csv.zip, .parquet): 2024/09/correction.zip, "
        "bill-2024-10.xlsx, notes.txt\n"
    ) in err
    assert "  sample: 999 rows read, 999 loaded, 0 rejected; USD 20.28022672899\n" in err
    assert fact_total(mart_url, "sample", date(2024, 9, 1)) == {"USD": D("20.28022672899")}
