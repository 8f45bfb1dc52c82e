"""Reading a CSV file a block of bytes at a time gives what reading it whole gives: the same
records, nulls and 1-based record numbers, wherever the blocks are cut."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finops_assets.sources import files
from finops_assets.sources.decimals import parse_decimal
from finops_assets.sources.files import UnreadableFileError, csv_text_batches, with_line_numbers

RECORDS = (
    '\ufeffid,"note, quoted",cost\r\n'
    "1,plain,1.50\r\n"
    '2,"a newline\nin quotes, and ""quotes""",NULL\r\n'
    "\r\n"
    ",,\r\n"
    '3,"' + "long " * 40 + '",2\r\n'
    '4,"ends with a newline\n",\r\n'
    "5,é,-0.000000000000000001"
)
"""A BOM, CRLF ends, quoted newlines and quotes, a blank line and an empty record (neither is a
record: not numbered), a record longer than the smallest block, and no newline at the end."""


def _whole(path: Path) -> pl.DataFrame:
    return next(with_line_numbers(iter([files.read_csv_text(path)])))


@pytest.mark.parametrize("block", [8, 16, 33, 64, 1 << 20])
@pytest.mark.parametrize("name", ["bill.csv", "bill.csv.gz"])
def test_blocks_anywhere_give_the_whole_file_s_records_and_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, name: str
) -> None:
    path = tmp_path / name
    data = RECORDS.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    monkeypatch.setattr(files, "CSV_BLOCK_BYTES", block)

    batches = list(with_line_numbers(csv_text_batches(path, 2)))

    assert pl.concat(batches).equals(_whole(path))
    assert pl.concat(batches).rows() == [
        (1, "1", "plain", "1.50"),
        (2, "2", 'a newline\nin quotes, and "quotes"', None),
        (3, "3", "long " * 40, "2"),
        (4, "4", "ends with a newline\n", None),
        (5, "5", "é", "-0.000000000000000001"),
    ]
    assert batches[0].columns == ["_line", "id", "note, quoted", "cost"]


def test_a_ragged_record_after_the_first_block_is_told_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 50 + b"3,4,5\n" + b"6,7\n")
    monkeypatch.setattr(files, "CSV_BLOCK_BYTES", 32)

    with pytest.raises(UnreadableFileError, match=r"ragged.csv: line 52: 3 fields where the header has 2$"):
        list(csv_text_batches(path, 10))


def test_plain_numbers_and_odd_texts_are_judged_alike() -> None:
    texts = ["1.50", "-0.000000000000000001", "12345678901234567890", "1e-3", " 2 ", "", None,
             "1.0000000000000000001", "123456789012345678901", "٣", "abc", "1.", ".5"]  # fmt: skip
    value, problem = parse_decimal("cost", pl.String())
    frame = pl.DataFrame({"cost": texts}, schema={"cost": pl.String}).select(value, problem.alias("p"))
    assert frame.rows() == [
        (Decimal("1.5"), None),
        (Decimal("-1E-18"), None),
        (Decimal("12345678901234567890"), None),
        (Decimal("0.001"), None),
        (Decimal(2), None),
        (None, None),
        (None, None),
        (None, "cost: more than 18 decimal places: '1.0000000000000000001'"),
        (None, "cost: over 20 integer digits: '123456789012345678901'"),
        (None, "cost: over 20 integer digits: '٣'"),
        (None, "cost: not a number: 'abc'"),
        (Decimal(1), None),
        (Decimal("0.5"), None),
    ]
