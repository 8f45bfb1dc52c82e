"""Reading a CSV file a block of bytes at a time gives what reading it whole gives: the same
records, nulls, 1-based record numbers and errors, wherever the blocks are cut, with every
column or only some of them."""

from __future__ import annotations

import gzip
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

import polars as pl
import pytest

from finops_assets.sources import csv_blocks
from finops_assets.sources.csv_blocks import CsvBlock, csv_header, csv_records, csv_text_batches
from finops_assets.sources.decimals import parse_decimal
from finops_assets.sources.files import UnreadableFileError, read_csv_text, with_line_numbers

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


def _records_file(path: Path, block: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    """RECORDS in a file (gzip-compressed for a .gz name), read in blocks of `block` bytes."""
    data = RECORDS.encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    monkeypatch.setattr(csv_blocks, "CSV_BLOCK_BYTES", block)
    return path


def _noted_blocks(path: Path) -> list[CsvBlock]:
    blocks: list[CsvBlock] = []
    list(csv_text_batches(path, 1, None, blocks))
    return blocks


def _whole(path: Path) -> pl.DataFrame:
    return next(with_line_numbers(iter([read_csv_text(path)])))


@pytest.mark.parametrize("block", [8, 16, 33, 64, 1 << 20])
@pytest.mark.parametrize("name", ["bill.csv", "bill.csv.gz"])
def test_blocks_anywhere_give_the_whole_file_s_records_and_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, name: str
) -> None:
    path = _records_file(tmp_path / name, block, monkeypatch)

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


@pytest.mark.parametrize("name", ["bill.csv", "bill.csv.gz"])
def test_a_block_cut_after_every_byte_keeps_quoted_newlines_inside_their_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # every block size up to the whole file: each newline inside quotes is the last one of
    # some block, and the cut steps back over it (over several when a record holds two)
    whole = _whole(_records_file(tmp_path / name, 1 << 20, monkeypatch))
    cuts: set[int] = set()
    for block in range(1, len(RECORDS.encode()) + 1):
        path = _records_file(tmp_path / name, block, monkeypatch)
        assert pl.concat(with_line_numbers(csv_text_batches(path, 2))).equals(whole), block
        cuts.update(b.first_line for b in _noted_blocks(path))
    assert cuts == {1, 2, 3, 4, 5}  # each record starts a block at some size


@pytest.mark.parametrize("columns", [None, ["id", "cost"]])
def test_a_block_starting_at_a_blank_line_or_a_short_record_reads_as_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: list[str] | None
) -> None:
    # record 2 is short (its cost null, as a whole read gives it), a blank line before it
    path = tmp_path / "bill.csv"
    path.write_bytes(b"id,note,cost\n1,a,2\n\n2,b\n3,c,4\n")
    expected = [(1, "1", "2"), (2, "2", None), (3, "3", "4")]
    for block in range(1, 24):
        monkeypatch.setattr(csv_blocks, "CSV_BLOCK_BYTES", block)
        batches = pl.concat(with_line_numbers(csv_text_batches(path, 2, columns)))
        assert batches.select("_line", "id", "cost").rows() == expected, block


@pytest.mark.parametrize("columns", [None, ["id", "cost"]])
def test_a_record_with_more_fields_is_the_same_error_wherever_the_blocks_are_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: list[str] | None
) -> None:
    path = tmp_path / "bill.csv"
    path.write_bytes(b"id,note,cost\n1,a,2\n2,b,3,9\n3,c,4\n")
    for block in range(1, 34):
        monkeypatch.setattr(csv_blocks, "CSV_BLOCK_BYTES", block)
        with pytest.raises(UnreadableFileError, match=r"bill.csv: line 3: 4 fields where the header has 3$"):
            list(csv_text_batches(path, 2, columns))


def test_blocks_are_gathered_into_batches_of_the_size_asked_and_noted_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # blocks of 8 bytes hold records 1, 2, 3-4 (a block doubled for the long record 3) and 5
    path = _records_file(tmp_path / "bill.csv", 8, monkeypatch)
    blocks: list[CsvBlock] = []

    batches = list(with_line_numbers(csv_text_batches(path, 3, None, blocks)))

    assert [batch.height for batch in batches] == [4, 1]  # 1 + 1 + 2 records reach 3
    assert pl.concat(batches).equals(_whole(path))
    assert [(block.first_line, block.rows) for block in blocks] == [(1, 1), (2, 1), (3, 2), (5, 1)]
    again = csv_records(path, blocks, pl.Series([2, 5]))
    assert again.rows() == [
        (2, "2", 'a newline\nin quotes, and "quotes"', None),
        (5, "5", "é", "-0.000000000000000001"),
    ]


def test_a_batch_gathers_no_more_text_than_its_cap_whatever_its_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _records_file(tmp_path / "bill.csv", 8, monkeypatch)
    lengths = [block.length for block in _noted_blocks(path)]
    monkeypatch.setattr(csv_blocks, "CSV_BATCH_BYTES", lengths[0] + lengths[1])

    batches = list(csv_text_batches(path, 100))

    # blocks 1 and 2 reach the cap; the block of records 3-4 (the long one) is over it alone
    assert [batch.height for batch in batches] == [2, 2, 1]
    assert lengths[2] > lengths[0] + lengths[1]


def test_a_ragged_record_after_the_first_block_is_told_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 50 + b"3,4,5\n" + b"6,7\n")
    monkeypatch.setattr(csv_blocks, "CSV_BLOCK_BYTES", 32)

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
        (None, "cost: not a number: '٣'"),  # ASCII digits alone are read
        (None, "cost: not a number: 'abc'"),
        (Decimal(1), None),
        (Decimal("0.5"), None),
    ]


@pytest.mark.parametrize("block", [8, 33, 1 << 20])
@pytest.mark.parametrize("name", ["bill.csv", "bill.csv.gz"])
def test_some_columns_read_alone_are_the_whole_read_s_and_records_are_read_again_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, name: str
) -> None:
    path = _records_file(tmp_path / name, block, monkeypatch)
    blocks: list[CsvBlock] = []

    batches = list(with_line_numbers(csv_text_batches(path, 2, ["cost"], blocks)))

    assert pl.concat(batches).rows() == [
        (1, "1.50"), (2, None), (3, "2"), (4, None), (5, "-0.000000000000000001"),
    ]  # fmt: skip
    assert sum(b.rows for b in blocks) == 5
    assert [b.first_line for b in blocks] == list(accumulate([1] + [b.rows for b in blocks[:-1]]))
    again = csv_records(path, blocks, pl.Series([2, 5]))
    assert again.rows() == [
        (2, "2", 'a newline\nin quotes, and "quotes"', None),
        (5, "5", "é", "-0.000000000000000001"),
    ]


def test_a_record_blank_in_the_columns_read_is_kept_and_numbered_as_a_whole_read_does(tmp_path: Path) -> None:
    path = tmp_path / "bill.csv"
    path.write_bytes(b"id,note,cost\n1,a,1.5\n2,,\n\n,,\n3,b,2\n")

    batches = list(with_line_numbers(csv_text_batches(path, 10, ["note", "cost"])))

    # record 2 has an id: a record (its cost missing), not a blank line like the next two
    assert pl.concat(batches).rows() == [(1, "a", "1.5"), (2, None, None), (3, "b", "2")]


@pytest.mark.parametrize("extra", ["3,4,x", "3,4,5,6"])
def test_a_record_wider_than_the_header_is_refused_even_when_its_columns_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str
) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 50 + extra.encode() + b"\n6,7\n")
    monkeypatch.setattr(csv_blocks, "CSV_BLOCK_BYTES", 32)

    with pytest.raises(UnreadableFileError, match=r"wide.csv: line 52: \d fields where the header has 2$"):
        list(csv_text_batches(path, 10, ["a"]))


def test_a_header_over_two_lines_is_read_whole_with_some_columns_too(tmp_path: Path) -> None:
    path = tmp_path / "bill.csv"
    path.write_bytes(b'id,"a note\non two lines",cost\n1,x,1.5\n2,y,2\n')

    batches = list(with_line_numbers(csv_text_batches(path, 10, ["cost"])))

    assert csv_header(path) == ["id", "a note\non two lines", "cost"]
    assert pl.concat(batches).rows() == [(1, "1.5"), (2, "2")]
    assert csv_records(path, [], pl.Series([2])).rows() == [(2, "2", "y", "2")]
