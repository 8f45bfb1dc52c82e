"""Reading a CSV file a block of records at a time, every column as text or only some of them.

A block is about CSV_BLOCK_BYTES of whole records, read at its offset (gzip: decompressed a
block at a time) and parsed without its header. Reading only the columns normalisation needs
(`columns`) skips building the others: 13 of FOCUS's 45 columns parse in a third of the time.
The records, nulls, skipped blank lines and 1-based record numbers are those of a whole read
(files.read_csv_text), and so is the error of a record with more fields than the header when
any of them holds a value. One case a projected read cannot see: a record with a single extra,
empty field (`...,last,` with a header one field shorter) is read as its first fields, where a
whole read refuses the file, unless its block is parsed whole (polars reads an empty field and a
missing one alike: both null).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from finops_assets.sources.csv_ends import quotes_before
from finops_assets.sources.files import (
    NULL_TOKENS,
    UnreadableFileError,
    check_header,
    csv_problem,
    frame_batches,
    is_compressed,
    open_binary,
    read_csv_text,
    reading,
)

CSV_BLOCK_BYTES = 32 << 20
CSV_BATCH_BYTES = 3 * CSV_BLOCK_BYTES
"""The text a batch gathers at most, whatever its records: a 1M-line FOCUS month (826 MB) lands
in batches of about 120,000 records in 3.85-3.87 s, peaking at 575-588 MiB; in batches of 250,000
records, 3.8 s and 717-724 MiB; in its 25 blocks of 32 MB, 4.6 s and 545-573 MiB."""
_BEYOND = "_beyond_the_header"
"""A column after the header's last one: a record that fills it has more fields than the header."""


@dataclass(frozen=True)
class CsvBlock:
    """Where the records of one batch lie in their file: `length` bytes at `offset` (of the
    decompressed text for gzip), `rows` records from record number `first_line`."""

    offset: int
    length: int
    first_line: int
    rows: int


def _record_end(buffer: bytes | bytearray, size: int) -> int:
    """The end of the last whole record in the first `size` bytes of `buffer` (which starts at a
    record): just after its last newline outside quotes (RFC 4180: a newline is inside quotes
    when an odd number of quote characters precede it; an escaped quote counts twice); 0 when
    there is none. The block's quotes are counted once; stepping back over a newline inside
    quotes takes off the quotes after the newline before it."""
    end = buffer.rfind(b"\n", 0, size)
    quotes = quotes_before(buffer, end) if end > 0 else 0
    while end >= 0 and quotes % 2:
        before = buffer.rfind(b"\n", 0, end)
        quotes -= buffer.count(b'"', before + 1, end)
        end = before
    return end + 1


def _without_blank(frame: pl.DataFrame) -> pl.DataFrame:
    blank = frame.select(pl.all_horizontal(pl.all().is_null())).to_series()
    if blank.any():  # a filter copies every column: only when there are blank lines
        frame = frame.filter(~blank)
    # one chunk: polars 2.1 panics (`i < self.len()`) on some filtered frames parsed from bytes
    return frame.rechunk()


def _positions_header(fields: int) -> bytes:
    """A header line naming `fields` columns by position (c0, c1, ...): parsed under it, a block
    has the header's width whatever its first line (polars counts the columns of a headless
    block from its first line: a blank line or a short record there was a SchemaError)."""
    return ",".join(f"c{i}" for i in range(fields)).encode() + b"\n"


def _parse_records(path: Path, names: list[str], records: bytes | memoryview) -> pl.DataFrame:
    """Records without their header, as text columns named `names`, parsed under a header of
    positions: a short record gets nulls and a record with more fields is the file's error, as
    in a whole read."""
    if not len(records):
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    text = _positions_header(len(names)) + records  # the one copy of the block's bytes
    try:
        frame = pl.read_csv(text, infer_schema=False, null_values=NULL_TOKENS, raise_if_empty=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError, OSError) as error:
        raise UnreadableFileError(csv_problem(path, error)) from None
    return _without_blank(frame.rename(dict(zip(frame.columns, names, strict=True))))


def _parse_columns(path: Path, names: list[str], records: memoryview, keep: list[int]) -> pl.DataFrame:
    """The columns at positions `keep` of the records, as `_parse_records` gives them. The
    records are parsed under a header of positions one field wider than the file's, so that a
    record with more fields than the header fills the extra one. Such a record, or one blank in
    the kept columns (blank in every column, or not: only all of them tell), has its block
    parsed whole: the file's error, or the whole read's records, as before."""
    if not len(records):
        return pl.DataFrame(schema={names[i]: pl.String for i in keep})
    text = _positions_header(len(names) + 1) + records  # the one copy of the block's bytes
    try:
        frame = pl.read_csv(
            text,
            columns=[*keep, len(names)],
            infer_schema=False,
            null_values=NULL_TOKENS,
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError, OSError) as error:
        raise UnreadableFileError(csv_problem(path, error)) from None
    frame = frame.rename({f"c{i}": names[i] for i in keep} | {f"c{len(names)}": _BEYOND})
    beyond = frame.get_column(_BEYOND).is_not_null().any()
    if beyond or frame.select(pl.all_horizontal(pl.exclude(_BEYOND).is_null()).any()).item():
        return _parse_records(path, names, records).select(names[i] for i in keep)
    return frame.drop(_BEYOND).rechunk()


def _record_blocks(path: Path, block: int) -> Iterator[tuple[int, memoryview]]:
    """(offset, records) after the header line in blocks of about `block` bytes, each cut after
    a whole record: a plain file read at the block's offset into one buffer, reused for every
    block (a block's bytes are copied once, by their parser: allocating each block and copying
    it again without its partial last record cost 30 ms a 32 MB block), a gzip file
    decompressed a block at a time. A view is valid until the next block is asked for."""
    if is_compressed(path):
        with open_binary(path) as binary:
            start = len(binary.readline())
            pending = b""
            while chunk := binary.read(block):
                pending += chunk
                end = _record_end(pending, len(pending))
                if end:
                    yield start, memoryview(pending)[:end]
                    start += end
                    pending = pending[end:]
            yield start, memoryview(pending)
        return
    with path.open("rb") as handle:
        start = len(handle.readline())
        buffer = bytearray(block)
        while read := os.preadv(handle.fileno(), [buffer], start):
            # a full buffer is not the end of the file: cut after its last whole record
            end = _record_end(buffer, read) if read == len(buffer) else read
            if not end:  # a record longer than the block
                buffer = bytearray(2 * len(buffer))
                continue
            yield start, memoryview(buffer)[:end]
            start += end


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's header line, as polars reads them with the records."""
    with reading(path), open_binary(path) as binary:
        first = binary.readline()
    return _header_names(path, first)


def _header_names(path: Path, header: bytes) -> list[str]:
    """csv_header of the file's first line, `header`."""
    if header.count(b'"') % 2:  # a header over several lines: read as csv_text_batches reads it
        return read_csv_text(path).columns
    try:
        return pl.read_csv(header, infer_schema=False, raise_if_empty=False).columns
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as error:
        raise UnreadableFileError(csv_problem(path, error)) from None


def csv_text_batches(
    path: Path, size: int, columns: Sequence[str] | None = None, blocks: list[CsvBlock] | None = None
) -> Iterator[pl.DataFrame]:
    """`read_csv_text` in batches of about `size` records, the file read a block of bytes at a
    time and cut after a whole record (polars' own batched CSV reading reads ahead of a slow
    consumer: the whole file ends up in memory): the same text columns, nulls, skipped blank
    lines and errors; only the header's `columns` when given. Each batch's place in the file
    is appended to `blocks` (csv_records reads its records again whole)."""
    with open_binary(path) as binary:
        header = binary.readline()
        sample = binary.read(1 << 20)
    if not sample.strip() or header.count(b'"') % 2:  # no records, or a header over several lines
        whole = read_csv_text(path)
        yield from frame_batches(
            whole if columns is None else whole.select(c for c in whole.columns if c in columns), size
        )
        return
    check_header(path)
    names = _header_names(path, header)
    wanted = None if columns is None else set(columns)
    keep = None if wanted is None else [i for i, name in enumerate(names) if name in wanted]
    # a block of `size` records, at most CSV_BLOCK_BYTES: the text and the parsed columns are
    # each about that big (a FOCUS CSV record is about 800 bytes)
    block = min(CSV_BLOCK_BYTES, max(1 << 20, size * len(sample) // max(sample.count(b"\n"), 1)))
    seen = 0
    # the blocks' records gathered into batches of about `size` records (CSV_BATCH_BYTES of
    # text at most): each batch's normalisation and partial aggregate has a cost of its own.
    # The month's batches are read ahead of their landing (batches.read_ahead): the next batch
    # is parsed while the previous one is normalised and written
    gathered: list[pl.DataFrame] = []
    gathered_rows = gathered_bytes = 0
    for offset, records in _record_blocks(path, block):
        frame = (
            _parse_records(path, names, records)
            if keep is None
            else _parse_columns(path, names, records, keep)
        )
        if frame.height:
            if blocks is not None:
                blocks.append(CsvBlock(offset, len(records), seen + 1, frame.height))
            seen += frame.height
            gathered.append(frame)
            gathered_rows += frame.height
            gathered_bytes += len(records)
            if gathered_rows >= size or gathered_bytes >= CSV_BATCH_BYTES:
                yield pl.concat(gathered)
                gathered, gathered_rows, gathered_bytes = [], 0, 0
    if gathered:
        yield pl.concat(gathered)
    if not seen:
        frame = _parse_records(path, names, b"")
        yield frame if keep is None else frame.select(names[i] for i in keep)


def csv_records(path: Path, blocks: Sequence[CsvBlock], lines: pl.Series) -> pl.DataFrame:
    """The records of a CSV file at these record numbers, every column, with `_line`: only the
    blocks holding them are read again (their places noted by csv_text_batches)."""
    if not blocks:  # read whole (no records, or a header over several lines)
        return (
            read_csv_text(path)
            .with_row_index("_line", offset=1)
            .filter(pl.col("_line").is_in(lines.implode()))
        )
    names = csv_header(path)
    frames = []
    with open_binary(path) as binary:
        for block in blocks:
            if not lines.is_between(block.first_line, block.first_line + block.rows - 1).any():
                continue
            binary.seek(block.offset)  # gzip: decompressed up to there again
            frame = _parse_records(path, names, binary.read(block.length))
            frames.append(frame.with_row_index("_line", offset=block.first_line))
    return pl.concat(frames).filter(pl.col("_line").is_in(lines.implode()))
