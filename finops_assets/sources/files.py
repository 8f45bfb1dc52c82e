"""Finding a source's files and opening them: a source path is a file, a glob or a folder;
its files are CSV (gzip or a ZIP archive of one file) or Parquet, refused in one line naming
them when they cannot be read. Which months each file holds is file_index's."""

from __future__ import annotations

import csv
import glob
import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

import polars as pl

from finops_assets.sources.csv_ends import cut_short
from finops_assets.sources.export_runs import Superseded, is_export_metadata, latest_runs
from finops_assets.sources.listing import listed_once
from finops_core.errors import first_line
from finops_core.folders import visible_files

SUPPORTED_SUFFIXES = (".csv", ".csv.gz", ".csv.zip", ".parquet")
COMPRESSED = (".gz", ".zip")
"""Text read through its decompressed stream: gzip, or a ZIP archive of one file (AWS Cost and
Usage Reports offer ZIP beside GZIP)."""
NULL_TOKENS = ["NULL", "null", ""]
READ_PROBLEM = "_read_problem"
"""Set on a record read for a month that cannot be loaded whatever its values (its month is
outside the partitions, it holds a NUL character): the reject reason, naming the column."""
RESERVED_COLUMNS = ("_line", "_file", "_month", READ_PROBLEM)
"""The columns the platform adds to every record it reads: a file's own column of one of these
names would clash with them or be overwritten by them."""


DAMAGED = (OSError, EOFError, zlib.error, zipfile.BadZipFile)
"""What reading a damaged file raises besides its parser's errors: gzip's BadGzipFile (an
OSError) for a file that is not gzip, EOFError for a truncated stream, zlib.error for a corrupt
one, BadZipFile for a ZIP archive that is none or whose file fails its CRC."""


class SourceFilesError(ValueError):
    pass


class UnplaceableFileError(ValueError):
    pass


class UnreadableFileError(ValueError):
    """A file that cannot be parsed: the message names it, the line and the cause, in one line."""


def placed_months(months: set[str], rows: int, path: Path, column: str) -> set[str]:
    """The months a file's records hold; an error when it has records but none of them can be
    placed in a month partition (say so instead of skipping them)."""
    if not months and rows:
        raise UnplaceableFileError(
            f"{path}: none of its {rows} rows has a readable {column}, "
            "so the file cannot be placed in a month partition"
        )
    return months


def null_parquet_column(path: Path, name: str) -> pl.DataFrame:
    """A text column of nulls as long as the Parquet file: a month column the file lacks."""
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    return pl.DataFrame({name: [None] * rows}, schema={name: pl.String})


def is_supported(path: Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> bool:
    return path.name.lower().endswith(suffixes)


def listing_root(path: Path) -> Path:
    """The folder a source path's files are found under: the path, or a glob's folder."""
    return _glob_root(path) if glob.has_magic(str(path)) else path


def _glob_root(pattern: Path) -> Path:
    """The folder a glob starts from: its parts before the first with a wildcard."""
    parts: list[str] = []
    for part in pattern.parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def source_files(
    path: Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES, export_runs: bool = True
) -> list[Path]:
    """The supported files a source path names, sorted: a folder's or a glob's (none is an
    empty list: a month with no delivery), or one file; an error for a path that does not exist
    (a glob's folder included) or a single file of another type. Of the runs an export wrote
    side by side for a billing period, the latest alone (export_runs), unless `export_runs` is
    False (a tabular source's files are the organisation's own, whatever their names)."""
    if path.is_file():
        if not is_supported(path, suffixes):
            raise SourceFilesError(f"{path}: unsupported file type; expected {', '.join(suffixes)}")
        return [path]
    if not export_runs:
        return [p for p in _listed(path) if is_supported(p, suffixes)]
    return _latest(path, suffixes)[0]


def superseded_runs(path: Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> list[Superseded]:
    """The export runs source_files leaves out for a later run of the same period."""
    if path.is_file():
        return []
    return _latest(path, suffixes)[1]


def _latest(path: Path, suffixes: tuple[str, ...]) -> tuple[list[Path], list[Superseded]]:
    return listed_once(
        ("latest", path, suffixes),
        lambda: latest_runs(
            [p for p in _listed(path) if is_supported(p, suffixes) and not is_export_metadata(p)]
        ),
    )


COMPANIONS = (".json", ".sql", ".yml", ".yaml")
"""What lies beside exports without billing data in it: manifests (JSON), and the SQL and YAML an
AWS report writes for Redshift and Athena (`-RedshiftCommands.sql`, `-create-table.sql`,
`crawler-cfn.yml`)."""


def left_out_files(path: Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> list[Path]:
    """The files of a source folder or glob that are not of a type it reads (a bill sent as
    .xlsx or .zip), less those no billing export holds data in: COMPANIONS (JSON unless the
    source reads it) and names starting with `_` (Spark's and Hadoop's `_SUCCESS` markers).
    None for a single file, or a path that does not exist."""
    if path.is_file() or not (path.is_dir() or glob.has_magic(str(path))):
        return []
    try:
        listed = _listed(path)
    except SourceFilesError:
        return []
    return [
        p
        for p in listed
        if not is_supported(p, suffixes)
        and not p.name.startswith("_")
        and not p.name.lower().endswith(COMPANIONS)
    ]


def _listed(path: Path) -> list[Path]:
    """Every visible file of a folder (recursively) or a glob's matches, sorted; once per run
    (listing.one_listing)."""
    return listed_once(("files", path), lambda: _walk(path))


def _walk(path: Path) -> list[Path]:
    if path.is_dir():
        return visible_files(path, "*", recursive=True)
    if glob.has_magic(str(path)):
        if not (root := _glob_root(path)).is_dir():  # a share not mounted: not "no delivery"
            raise SourceFilesError(f"{path}: no such folder {root}")
        return sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
    raise SourceFilesError(f"{path}: no such file or folder")


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """A file the parser cannot read (a truncated Parquet file, a vanished one, a gzip that is
    not one, text that is not UTF-8: its line named) is an UnreadableFileError naming it, in one
    line, rather than the parser's trace."""
    try:
        yield
    except UnicodeDecodeError as error:
        raise UnreadableFileError(csv_problem(path, error)) from None
    except (pl.exceptions.PolarsError, *DAMAGED) as error:
        raise UnreadableFileError(f"{path}: {first_line(error)}") from None


def read_csv_text(path: Path) -> pl.DataFrame:
    """A CSV file (optionally gzip) with every column as text, so nothing is guessed or rounded
    on the way in: the literal NULL/null tokens and empty cells are nulls, and blank lines
    (which are not records) are skipped. `_line` is added by the caller, after any filter.
    A header naming a column twice is refused (which of the two is the cost?), and a file that
    cannot be parsed is an UnreadableFileError naming its line."""
    try:
        source: Path | bytes = path
        if path.name.lower().endswith(".zip"):  # polars reads gzip itself, not ZIP
            with open_binary(path) as binary:
                source = binary.read()
        frame = pl.read_csv(source, infer_schema=False, null_values=NULL_TOKENS, raise_if_empty=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, UnicodeDecodeError, *DAMAGED) as error:
        raise UnreadableFileError(csv_problem(path, error)) from None
    if frame.width:
        check_header(path)
        frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))
    return frame


def frame_batches(frame: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    """A frame already read whole, in slices of at most `size` rows (at least one, maybe empty)."""
    if frame.height == 0:
        yield frame
        return
    yield from frame.iter_slices(size)


def parquet_batches(path: Path, size: int, columns: list[str] | None = None) -> Iterator[pl.DataFrame]:
    """A Parquet file's records in batches of at most `size` rows, in file order (at least one),
    with only `columns` when given. Each batch is a slice of the scan, which reads only the row
    groups it covers (a streaming `collect_batches` reads ahead of a slow consumer: the whole
    file ends up in memory)."""
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    scan = pl.scan_parquet(path)
    if columns is not None:
        scan = scan.select(columns)
    for offset in range(0, max(rows, 1), size):
        yield scan.slice(offset, size).collect()


def with_line_numbers(batches: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """`_line`, the 1-based record number in the file, on each batch of a file read in order."""
    seen = 0
    for batch in batches:
        yield batch.with_row_index("_line", offset=seen + 1)
        seen += batch.height


def is_compressed(path: Path) -> bool:
    return path.name.lower().endswith(COMPRESSED)


def open_binary(path: Path) -> BinaryIO:
    """A source file's bytes, decompressed: gzip, the one file of a ZIP archive, or as they are."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return cast(BinaryIO, gzip.open(path, "rb"))
    if name.endswith(".zip"):
        return _zip_member(path)
    return path.open("rb")


def _zip_member(path: Path) -> BinaryIO:
    """The one file of a ZIP archive as a stream (the archive's file stays open until the
    stream is closed); an UnreadableFileError naming the archive when it holds another number."""
    with zipfile.ZipFile(path) as archive:
        # macOS's Finder adds its resource forks beside the file it zips
        members = [
            member
            for member in archive.infolist()
            if not member.is_dir()
            and not member.filename.startswith("__MACOSX/")
            and not Path(member.filename).name.startswith("._")
        ]
        if len(members) != 1:
            names = ", ".join(member.filename for member in members[:3]) or "nothing"
            raise UnreadableFileError(
                f"{path}: a ZIP archive of {len(members)} files ({names}); one file an archive is "
                "read, as AWS delivers a report's parts: one archive each"
            )
        try:
            return cast(BinaryIO, archive.open(members[0]))
        except (NotImplementedError, RuntimeError) as error:  # Deflate64 (Windows), encryption
            raise UnreadableFileError(
                f"{path}: {first_line(error)}; zip it again with Deflate, unencrypted"
            ) from None


@contextmanager
def open_text(
    path: Path, *, encoding: str = "utf-8-sig", errors: str = "strict", newline: str | None = None
) -> Iterator[io.TextIOWrapper]:
    """A source file, gzipped or not, as text (a BOM skipped by default); `newline=""` for the
    csv module."""
    with open_binary(path) as binary, io.TextIOWrapper(binary, encoding, errors, newline) as text:
        yield text


def refuse_reserved_columns(
    path: Path, columns: Iterable[str], reserved: tuple[str, ...] = RESERVED_COLUMNS
) -> None:
    """A file naming a column as the platform names one of its own is refused, naming it: read
    as it was, its values would be overwritten by the file's name or month, or taken for a
    reason to reject the record."""
    taken = [name for name in columns if name in reserved]
    if taken:
        raise UnreadableFileError(
            f"{path}: its column {taken[0]!r} has the name of a column the platform adds to every "
            f"record ({', '.join(reserved)}); rename that column in the file"
        )


def check_header(path: Path) -> None:
    """The header names each column once, the lines end with LF or CRLF (polars reads a file
    whose lines end with CR alone, classic Mac OS or Excel's "CSV (Macintosh)", as one header
    line, and its records would be none, without a word), and the file does not end inside its
    last record (csv_ends.cut_short)."""
    with reading(path):
        with open_binary(path) as binary:
            start = binary.read(1 << 20)
        with open_text(path, newline="") as handle:
            header = next(csv.reader(handle), [])
        cut = None if is_compressed(path) else cut_short(path, len(header))
    if b"\r" in start and b"\n" not in start:
        raise UnreadableFileError(
            f"{path}: its lines end with a carriage return alone (classic Mac OS): save it with "
            "LF or CRLF line ends"
        )
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name in seen:
            raise UnreadableFileError(
                f"{path}: line 1: the header names column {name!r} twice (columns {seen[name]} "
                f"and {number}); rename or remove one"
            )
        seen[name] = number
    if cut is not None:
        raise UnreadableFileError(
            f"{path}: cut short: {cut} (a transfer that stopped half way?); deliver it again whole"
        )


def csv_problem(path: Path, error: Exception) -> str:
    """One line naming the file, the first (physical) line that is not UTF-8 or a record wider
    than the header (a shorter one is read, its last columns null), and why; the parser's own
    first line when neither is found."""
    try:
        with open_binary(path) as binary:
            for number, raw in enumerate(binary, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as problem:
                    where = f"{problem.reason} at byte {problem.start} of the line"
                    return f"{path}: line {number}: not UTF-8 text ({where})"
        with open_text(path, newline="") as handle:
            reader = csv.reader(handle, strict=True)
            width = len(next(reader, []))
            for record in reader:
                if len(record) > width:
                    return (
                        f"{path}: line {reader.line_num}: {len(record)} fields where the header has {width}"
                    )
        if (stray := _stray_quote(path)) is not None:
            return f"{path}: {stray}"
    except csv.Error as problem:
        return f"{path}: line {reader.line_num}: {problem}"
    except DAMAGED as problem:
        return f"{path}: {problem}"
    return f"{path}: {first_line(error)}"


_FIELD = r'(?:"(?:[^"]|"")*"|[^,"]*)'
_RECORD = re.compile(rf"{_FIELD}(?:,{_FIELD})*")
"""A CSV record (RFC 4180): fields quoted whole, their quotes doubled, or holding no quote."""


def _stray_quote(path: Path) -> str | None:
    """The first record with a quote that opens no field (`27" monitor`), which Python's csv
    reads as a character and polars refuses with its buffer's offsets; None when there is none."""
    with open_text(path, newline="") as handle:
        record, first = "", 0
        for number, line in enumerate(handle, start=1):
            record, first = (record + line, first) if record else (line, number)
            if record.count('"') % 2:  # a quoted field goes on in the next line, or a stray quote
                continue
            if not _RECORD.fullmatch(record.rstrip("\r\n")):
                break
            record = ""
    if not record:
        return None
    return (
        f"line {first}: a quote in a field that does not start with one, or a quoted field never "
        'closed: quote the whole field and double the quotes in it ("27"" monitor")'
    )
