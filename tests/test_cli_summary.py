"""`finops materialize`'s line per source says what the load put in the mart: the files' total
was printed as if loaded, rejected rows' cost included; and a load rejecting more than its
source's max_rejected_share warns (a first delivery rejecting every row was an `ok`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from finops_cli.main import main
from tests.conftest import SAMPLES


def materialize(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, *args: str) -> int:
    config = tmp_path / "finops.yaml"
    config.write_text(f"start_month: '2020-01'\nend_month: '2024-12'\nsources:\n  - {source}\n")
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))
    return main(["materialize", *args])


def test_the_summary_separates_the_loaded_cost_from_the_rejected_and_warns_past_the_share(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bills = tmp_path / "ea"
    bills.mkdir()
    shutil.copy(SAMPLES / "azure" / "EA_AmortizedCost_Small.csv", bills)
    source = f"{{name: ea, kind: azure-cost-details, path: '{bills}'}}"
    assert materialize(tmp_path, monkeypatch, source, "--month", "2023-09") == 0
    err = capsys.readouterr().err
    # SOURCES.md: the file's total 16.296932136636644627485419; its 3 rows of costs with more than
    # 18 places carry 0.000118893319740891485419 (tests/test_provider_samples.py), the mart the rest
    assert (
        "  ea: 28 rows read, 25 loaded, 3 rejected; USD 16.296813243316903736 loaded,"
        " USD 0.000118893319740891485419 rejected\n"
    ) in err
    assert (
        "  warning: 2023-09 ea/consumption rejected_share: 3 of 28 rows rejected (10.7%,"
        ' max_rejected_share 10%); most in Cost (3 rows), e.g. "Cost: more than 18 decimal places:'
        ' \'0.0000000072922557592391990000\'" (rejected_by_column={"Cost": 3})\n'
    ) in err
    assert "2023-09: ok with 2 warning(s)" in err  # and mapping_coverage: no application tag


def test_a_first_delivery_rejecting_every_row_warns_and_names_no_currency_as_such(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bills = tmp_path / "focus"
    bills.mkdir()
    text = (SAMPLES / "focus" / "focus_sample.csv").read_text()
    # every row then lacks its currency
    (bills / "bill.csv").write_text(text.replace('"BillingCurrency"', '"Currency"', 1))
    source = f"{{name: sample, kind: focus, path: '{bills}', cost_column: BilledCost}}"
    assert materialize(tmp_path, monkeypatch, source, "--month", "2024-09", "--strict") == 1
    err = capsys.readouterr().err
    # SOURCES.md: 999 rows of BillingPeriodStart 2024-09, BilledCost 20.28022672899
    assert "  sample: 999 rows read, 0 loaded, 999 rejected; (no currency) 20.28022672899 rejected\n" in err
    assert "  warning: 2024-09 sample/consumption rejected_share: 999 of 999 rows rejected (100.0%" in err
    assert "2024-09: FAILED (warnings count as failures under --strict)" in err
