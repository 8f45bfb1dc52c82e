"""Numbers and CSV tables as hand-written referential files declare them (unit prices, FX
rates, allocation shares and keys): checked whole, each error naming the file and the line or
entry, before anything is applied."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from finops_assets.sources.decimals import INTEGER_DIGITS, SCALE, over_decimal_places, over_integer_digits
from finops_assets.sources.files import first_line
from finops_core.config import ConfigError
from finops_core.csv_tables import read_csv_table
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


def _shape_problem(data: bytes) -> str | None:
    """What polars would raise on, or read silently wrong, as `line N: ...`: bytes that are no
    UTF-8 text, a bare CR (polars reads a CR-only file as one header line), a NUL (PostgreSQL
    stores none), a broken quote, or a line with more or fewer fields than the header (polars
    fills a short line's last cells with nulls: a price's `to` became open-ended)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return f"line {line}: not UTF-8 text (byte {data[error.start]:#04x})"
    for found, problem in (
        (re.search("\r(?!\n)", text), "a CR alone ends a line; save the file with LF or CRLF line ends"),
        (re.search("\0", text), "a NUL character"),
    ):
        if found:
            return f"line {text.count(chr(10), 0, found.start()) + 1}: {problem}"
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width = None  # the header's, whatever its names (read_csv_table says which it expects)
    try:
        for row in reader:
            width = len(row) if width is None else width
            if row and len(row) != width:  # blank lines are the rows' checks' (fields empty)
                return f"line {reader.line_num}: {len(row)} fields, the header has {width}"
    except csv.Error as error:
        return f"line {reader.line_num}: {error}"
    return None


def declared_table(path: Path, header: list[str]) -> pl.DataFrame:
    """read_csv_table's table of a hand-written CSV file, its shape checked first: a ConfigError
    in one line naming the file and the line, never a polars error."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    if not data.strip():
        raise ConfigError(f"{path}: empty; expected at least the header {','.join(header)}")
    if (problem := _shape_problem(data)) is not None:
        raise ConfigError(f"{path}: {problem}")
    try:
        return read_csv_table(path, header)
    except pl.exceptions.PolarsError as error:  # a shape the check above let through
        raise ConfigError(f"{path}: not a CSV table: {first_line(error)}") from None


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
