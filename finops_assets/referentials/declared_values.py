"""Numbers and CSV tables as hand-written referential files declare them (unit prices, FX
rates, allocation shares and keys): checked whole, each error naming the file and the line or
entry, before anything is applied."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from finops_assets.sources.decimals import INTEGER_DIGITS, SCALE, over_decimal_places, over_integer_digits
from finops_core.config import ConfigError
from finops_core.folders import matching_folders, visible_files


def declared_number(value: Decimal, where: str) -> Decimal:
    """`value` when it is a finite number of at most 20 integer digits and 18 decimal places;
    a ConfigError naming `where` otherwise (NaN, Infinity, 1e400, a 30th decimal place), as the
    facts' amounts: more digits is a typo, and a number past PostgreSQL's numeric range
    (1e200000) failed the apply with a raw psycopg error."""
    if not value.is_finite():
        raise ConfigError(f"{where}: not a number: '{value}'")
    if over_integer_digits(value):
        raise ConfigError(f"{where}: over {INTEGER_DIGITS} integer digits: '{value}'")
    if over_decimal_places(value):
        raise ConfigError(f"{where}: more than {SCALE} decimal places: '{value}'")
    return value


def declared_decimal(text: str | None, where: str) -> Decimal:
    """The number a CSV cell holds (see declared_number); an empty cell is no number."""
    if text is None or not text.strip():
        raise ConfigError(f"{where}: empty; expected a number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConfigError(f"{where}: not a number: '{text}'") from None
    return declared_number(value, where)


DeclaredRow = dict[str, str | None]
"""A record of a hand-written CSV table by column: its cell stripped, None where it is blank."""


def _records(path: Path, data: bytes) -> list[tuple[int, list[str]]]:
    """The file's records with the line each starts on (a quoted cell may span lines), the header
    first, blank lines and lines of blanks left out; a ConfigError naming the line for what is no
    table of the header's width: bytes that are no UTF-8 text, a bare CR (the whole file read as
    one line), a NUL (PostgreSQL stores none), a broken quote, or a record with more or fewer
    fields than the header (a short one's last cells read as empty made a price's `to`
    open-ended)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 text (byte {data[error.start]:#04x})") from None
    for found, problem in (
        (re.search("\r(?!\n)", text), "a CR alone ends a line; save the file with LF or CRLF line ends"),
        (re.search("\0", text), "a NUL character"),
    ):
        if found:
            raise ConfigError(f"{path}: line {text.count(chr(10), 0, found.start()) + 1}: {problem}")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if len(row) > 1 or (row and row[0].strip()):  # else a blank line: nothing declared
                width = len(records[0][1]) if records else len(row)
                if len(row) != width:
                    raise ConfigError(f"{path}: line {start}: {len(row)} fields, the header has {width}")
                records.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ConfigError(f"{path}: line {reader.line_num}: {error}") from None
    return records


def declared_rows(path: Path, header: list[str]) -> list[tuple[int, DeclaredRow]]:
    """The records of a hand-written CSV file after its `header`, each with the line it starts
    on: every cell as stripped text (no number guessing: money stays exact), None where it is
    blank; a ConfigError in one line naming the file and the line for anything else, and for a
    file of no rows (the files are the whole truth: applied, it would withdraw every row)."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    records = _records(path, data)
    if not records:
        raise ConfigError(f"{path}: empty; expected at least the header {','.join(header)}")
    (_, names), *records = records
    if names != header:
        raise ConfigError(f"{path}: expected the header {','.join(header)}, got {','.join(names)}")
    rows = [
        (line, {name: cell.strip() or None for name, cell in zip(header, row, strict=True)})
        for line, row in records
    ]
    if not rows:  # an export that failed after its header: applied, it withdraws every row it had
        raise ConfigError(
            f"{path}: a header and no rows; to withdraw what it declared, delete the file (or the "
            "entry naming it)"
        )
    return rows


def declared_files(folder: Path, *patterns: str, recursive: bool = False) -> list[Path]:
    """visible_files of a referential folder, refusing a folder named as one of its files (a
    rules.yaml folder: Docker makes one when the file it should mount is missing, and every
    rule would be withdrawn without a word)."""
    if misnamed := matching_folders(folder, *patterns, recursive=recursive):
        raise ConfigError(
            f"{misnamed[0]}: a folder where a file belongs (Docker makes one when the file a volume "
            "should mount is missing)"
        )
    return visible_files(folder, *patterns, recursive=recursive)
