"""CSV delivered in a ZIP archive, as AWS Cost and Usage Reports offer it beside GZIP: read
through the archive's one file, kept in the landing as delivered, rejects read again from it;
an archive of several files or a damaged one refused in one line naming it."""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finops_assets.sources.csv_blocks import csv_header
from finops_assets.sources.files import UnreadableFileError, source_files
from tests.conftest import SAMPLES
from tests.pipeline import audit_costs, fact_total, latest_audit, query, run_month, source_kind

CUR = SAMPLES / "aws" / "sample-anonymous-aws-export-dataset.csv"
AMORTIZED = SAMPLES / "azure" / "EA_AmortizedCost_Small.csv"


def _zipped(source: Path, archive: Path, *others: Path) -> Path:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in (source, *others):
            zipped.write(path, path.name)
    return archive


@pytest.mark.parametrize("kind", ["aws-cur", "auto"])
def test_a_zipped_cost_and_usage_report_loads_as_its_csv(mart_url: str, tmp_path: Path, kind: str) -> None:
    """SOURCES.md: 1,281 lines, USD 1.68230869740 (unblended = BilledCost)."""
    _zipped(CUR, tmp_path / "cur" / "report-1.csv.zip")
    assert source_files(tmp_path / "cur") == [tmp_path / "cur" / "report-1.csv.zip"]
    month = date(2023, 11, 1)
    cost = {"aws-cur": "unblended", "auto": "BilledCost"}[kind]
    run_month(
        mart_url, tmp_path / "landing", month, source_kind("cur", kind, tmp_path / "cur", cost_column=cost)
    )
    assert latest_audit(mart_url, "cur", month) == (1281, 1281, 0)
    assert fact_total(mart_url, "cur", month) == {"USD": Decimal("1.68230869740")}
    kept = sorted((tmp_path / "landing").rglob("*report-1.csv.zip"))
    assert [path.read_bytes() for path in kept] == [(tmp_path / "cur" / "report-1.csv.zip").read_bytes()]


def test_the_rejects_of_a_zipped_export_are_read_again_from_it(mart_url: str, tmp_path: Path) -> None:
    """SOURCES.md: 28 lines, 3 of them with costs beyond 18 decimal places (rejected whole)."""
    _zipped(AMORTIZED, tmp_path / "azure" / "amortized.csv.zip")
    month = date(2023, 9, 1)
    run_month(
        mart_url, tmp_path / "landing", month, source_kind("ea", "azure-cost-details", tmp_path / "azure")
    )
    assert latest_audit(mart_url, "ea", month) == (28, 25, 3)
    assert audit_costs(mart_url, "ea", month)[0] == {"USD": Decimal("16.29693213663664462748541900")}
    with AMORTIZED.open(encoding="utf-8-sig", newline="") as handle:
        beyond = [(row["Cost"],) for row in csv.DictReader(handle) if len(row["Cost"].partition(".")[2]) > 18]
    rejected = query(mart_url, "SELECT raw_row->>'x_Cost' FROM finops.rejected_row ORDER BY line_number")
    assert rejected == beyond
    assert len(beyond) == 3


def test_an_archive_of_several_files_or_a_damaged_one_is_refused_naming_it(tmp_path: Path) -> None:
    several = _zipped(CUR, tmp_path / "two.csv.zip", AMORTIZED)
    with pytest.raises(UnreadableFileError) as refused:
        csv_header(several)
    assert str(refused.value) == (
        f"{several}: a ZIP archive of 2 files (sample-anonymous-aws-export-dataset.csv, "
        "EA_AmortizedCost_Small.csv); one file an archive is read, as AWS delivers a report's "
        "parts: one archive each"
    )
    whole = _zipped(CUR, tmp_path / "whole.csv.zip").read_bytes()
    cut = tmp_path / "cut.csv.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UnreadableFileError) as damaged:
        csv_header(cut)
    assert str(damaged.value) == f"{cut}: File is not a zip file"


def test_an_archive_compressed_as_windows_does_for_large_files_is_refused_naming_it(tmp_path: Path) -> None:
    """Deflate64 (method 9), which Python cannot read: the sensor's tick and the run failed on a
    NotImplementedError, every source's tick with it."""
    archive = _zipped(CUR, tmp_path / "big.csv.zip")
    raw = bytearray(archive.read_bytes())
    for signature, at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # the local and central headers' method
        start = raw.index(signature)
        raw[start + at : start + at + 2] = (9).to_bytes(2, "little")
    archive.write_bytes(bytes(raw))
    with pytest.raises(UnreadableFileError) as refused:
        csv_header(archive)
    assert str(refused.value) == (
        f"{archive}: That compression method is not supported; zip it again with Deflate, unencrypted"
    )
