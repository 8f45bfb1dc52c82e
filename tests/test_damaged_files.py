"""Files a provider or a person damaged: each is refused in one line naming the file and, where
there is one, the line; nothing is read as fewer records than it holds, and no total loses a
digit (found by feeding the readers mutated samples, benchmarks/RESULTS.md)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finops_assets.landing import LandingSlice
from finops_assets.sources.detect import detect, header
from finops_assets.sources.files import SourceFilesError, UnreadableFileError, read_csv_text
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import FocusOptions
from finops_assets.sources.gcp_billing.convert import GcpBilling
from finops_assets.sources.month_landing import add_totals
from finops_assets.sources.tabular.reader import read_json_lines, read_tabular_file, tabular_file_batches
from finops_core.decimals import exact_sum, exact_text
from tests.conftest import SAMPLES

HEADER = "BillingPeriodStart,BillingCurrency,EffectiveCost,ServiceName"
JUNE = date(2025, 6, 1)


def _ingest(tmp_path: Path, path: Path) -> None:
    ingest_focus_month(path, FocusOptions(), LandingSlice(tmp_path / "landing", "cloud", JUNE))


def test_lines_ending_with_a_carriage_return_alone_are_refused_not_read_as_no_record(
    tmp_path: Path,
) -> None:
    # polars read this file as one header line: the month landed 0 of its 2 records, silently
    path = tmp_path / "mac.csv"
    path.write_bytes(f"{HEADER}\r2025-06-01,USD,1,A\r2025-06-01,USD,2,B\r".encode())
    refused = r"mac.csv: its lines end with a carriage return alone \(classic Mac OS\)"
    with pytest.raises(UnreadableFileError, match=refused):
        _ingest(tmp_path, path)
    with pytest.raises(UnreadableFileError, match=refused):
        read_csv_text(path)  # the tabular and provider readers' whole read


def _after_usage_based(whole: bytes) -> bytes:
    # the last line ends after its ChargeFrequency: it loaded as microsoft:unknown-service
    return whole[: whole.rindex(b'"Usage-Based",') + len(b'"Usage-Based",')]


@pytest.mark.parametrize(
    ("sample", "cut", "why"),
    [
        ("focus/focus_sample.csv", _after_usage_based, r"its last record has 12 of the header's 44 fields"),
        ("focus/focus_sample.csv", lambda whole: whole[:-42], "it ends inside a quoted field"),  # in its tags
        (
            "aws/2023-06-01.csv",
            lambda whole: whole[:-300],
            r"its last record has \d+ of the header's \d+ fields",
        ),
    ],
)
def test_a_file_cut_short_in_its_last_record_is_refused_not_loaded_with_nulls(
    tmp_path: Path, sample: str, cut: Callable[[bytes], bytes], why: str
) -> None:
    whole = (SAMPLES / sample).read_bytes()
    path = tmp_path / "bill.csv"
    path.write_bytes(cut(whole))
    refused = rf"bill.csv: cut short: {why}, without a line end \(a transfer that stopped half way\?\); "
    # the FOCUS reader's blocks; the provider and tabular readers' whole read (where polars may
    # find an unclosed quote first)
    september = LandingSlice(tmp_path / "landing", "cloud", date(2024, 9, 1))  # the sample's month
    blocks = lambda: ingest_focus_month(path, FocusOptions(), september)  # noqa: E731
    read = blocks if sample.startswith("focus") else lambda: read_csv_text(path)
    with pytest.raises(UnreadableFileError, match=refused + "deliver it again whole$"):
        read()
    with pytest.raises(UnreadableFileError):
        read_csv_text(path)
    path.write_bytes(whole.rstrip(b"\r\n"))  # whole, without its last line end: read
    assert read_csv_text(path).height == len(read_csv_text(SAMPLES / sample))


def test_a_header_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"  # cp1252, as Excel saves it
    path.write_bytes(b"period,app,sku,qty,co\xfbt\n2025-06-01,a,s,1,2\n")
    with pytest.raises(UnreadableFileError, match=r"excel.csv: line 1: not UTF-8 text \(invalid start byte"):
        read_csv_text(path)


def test_the_record_wider_than_the_header_is_named_not_a_short_one_before_it(tmp_path: Path) -> None:
    path = tmp_path / "tool.csv"  # line 2 is short (read, its last columns null); line 3 is wrong
    path.write_text("period,app,sku,qty,cost\n2025-06-01,a\n2025-06-01,a,s,1,2,X\n")
    with pytest.raises(UnreadableFileError, match=r"tool.csv: line 3: 6 fields where the header has 5$"):
        read_csv_text(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (f"{HEADER}\n2025-06-01,USD,1,A\n".encode(), "Not a gzipped file"),  # a plain file named .gz
        (gzip.compress(f"{HEADER}\n2025-06-01,USD,1,A\n".encode())[:30], "Compressed file ended"),
    ],
)
def test_a_damaged_gzip_file_is_refused_in_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "bill.csv.gz"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=rf"bill.csv.gz: .*{problem}"):
        header(path)  # the kind's detection
    with pytest.raises(UnreadableFileError, match=rf"bill.csv.gz: .*{problem}"):
        _ingest(tmp_path, path)


def test_json_lines_damaged_or_not_utf8_are_refused_naming_the_file(tmp_path: Path) -> None:
    text = tmp_path / "usage.jsonl"
    text.write_bytes(b'{"team": "a", "gb": "1"}\n{"team": "b\xe9", "gb": "2"}\n')
    with pytest.raises(UnreadableFileError, match=r"usage.jsonl: line 2: not UTF-8 text"):
        read_json_lines(text)
    cut = tmp_path / "usage.jsonl.gz"
    cut.write_bytes(gzip.compress(b'{"team": "a", "gb": "1"}\n' * 50)[:40])
    with pytest.raises(UnreadableFileError, match=r"usage.jsonl.gz: Compressed file ended"):
        read_json_lines(cut)


def test_totals_keep_every_digit_past_the_28_of_python_s_default_context(tmp_path: Path) -> None:
    # 12345678901.5 IDR and 10^-18 IDR: 29 significant digits, which Decimal's default context
    # rounded to 12345678901.50000000000000000 in the file's total
    big, tiny = Decimal("12345678901.5"), Decimal("0.000000000000000001")
    whole = Decimal("12345678901.500000000000000001")
    totals = {"IDR": big}
    add_totals(totals, {"IDR": tiny})
    assert totals == {"IDR": whole}
    assert exact_sum(big, tiny, whole.copy_negate()) == 0  # a unary minus rounds too
    assert exact_text(whole) == "12345678901.500000000000000001"  # was 12345678901.5
    path = tmp_path / "idr.csv"
    path.write_text(f"{HEADER}\n2025-06-01,IDR,{big},A\n2025-06-01,IDR,{tiny},B\n")
    summary = ingest_focus_month(path, FocusOptions(), LandingSlice(tmp_path / "landing", "cloud", JUNE))
    assert (summary.rows_read, summary.rows_rejected) == (2, 0)
    assert summary.source_cost == {"IDR": whole}


GCP_LINES = SAMPLES / "derived" / "gcp" / "2022-08-01_5.json"


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        ("[1, 2]", "line 2 is not a JSON object, one billing record"),
        ('{"cost": NaN}', "line 2: not JSON: NaN is not a JSON number"),
        ('{"cost": 1e400}', "line 2: not JSON: 1e400 is beyond any floating-point number"),
    ],
    ids=["not an object", "NaN", "beyond a double"],
)
def test_a_json_lines_export_names_the_line_polars_refuses(tmp_path: Path, second: str, problem: str) -> None:
    # polars named a character offset in its buffer, or a supertype it could not find
    first, *_ = GCP_LINES.read_text(encoding="utf-8").splitlines()
    export = tmp_path / "export.jsonl"
    export.write_text(f"{first}\n{second}\n")
    with pytest.raises(SourceFilesError) as error:
        GcpBilling().read(export)
    assert str(error.value) == f"{export}: {problem}"


def test_a_json_lines_export_with_a_bom_or_a_blank_first_line_reads_as_without(tmp_path: Path) -> None:
    text = GCP_LINES.read_text(encoding="utf-8")
    plain = GcpBilling().read(GCP_LINES)
    for name, content in (("bom.jsonl", "\ufeff" + text), ("blank.jsonl", "\n\n" + text)):
        export = tmp_path / name
        export.write_text(content, encoding="utf-8")
        assert detect(header(export)) == "gcp-billing", name
        assert GcpBilling().read(export).equals(plain), name
    assert plain.height == 9


def test_a_list_typed_cost_in_parquet_rejects_its_rows_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "june.parquet"
    pl.DataFrame(
        {
            "BillingPeriodStart": ["2025-06-01", "2025-06-01"],
            "BillingCurrency": ["USD", "USD"],
            "EffectiveCost": [[1.5], None],
        }
    ).write_parquet(path)
    slice_ = LandingSlice(tmp_path / "landing", "cloud", JUNE)
    summary = ingest_focus_month(path, FocusOptions(), slice_)
    assert (summary.rows_read, summary.rows_rejected) == (2, 2)
    assert pl.read_parquet(slice_.rejects)["reason"].to_list() == [
        "EffectiveCost: not a number: a List(Float64) value",
        "EffectiveCost: missing",
    ]
    assert summary.source_cost == {}  # no number to count in either


@pytest.mark.parametrize("data", ["[]", "[{}]", "null", "[{}, null]"])
def test_an_opencost_answer_with_no_allocation_is_an_empty_month_not_another_format(
    tmp_path: Path, data: str
) -> None:
    answer = tmp_path / "allocation.json"
    answer.write_text(f'{{"code": 200, "status": "success", "data": {data}}}')
    assert detect(header(answer)) == "opencost"
    cloud_cost = tmp_path / "cloudcost.json"  # /cloudCost: `data` is an object of sets
    cloud_cost.write_text('{"code": 200, "data": {"sets": []}}')
    assert detect(header(cloud_cost)) is None


def test_digits_of_another_script_or_with_underscores_are_no_number_in_the_totals_either(
    tmp_path: Path,
) -> None:
    # Decimal reads '1_000' and '٣' (Arabic-Indic 3): the rows were rejected as no number (or
    # as over 20 digits) while the file's total counted 1000 and 3 for them
    path = tmp_path / "june.csv"
    path.write_text(f"{HEADER}\n2025-06-01,USD,1_000,A\n2025-06-01,USD,\u0663,B\n2025-06-01,USD,2.5,C\n")
    slice_ = LandingSlice(tmp_path / "landing", "cloud", JUNE)
    summary = ingest_focus_month(path, FocusOptions(), slice_)
    assert (summary.rows_read, summary.rows_rejected) == (3, 2)
    assert pl.read_parquet(slice_.rejects)["reason"].to_list() == [
        "EffectiveCost: not a number: '1_000'",
        "EffectiveCost: not a number: '\u0663'",
    ]
    assert (summary.source_cost, summary.rejected_cost) == ({"USD": Decimal("2.5")}, {})


def test_one_credit_where_a_list_belongs_rejects_the_row_not_its_net_cost(tmp_path: Path) -> None:
    # flattened into `credits.amount`, the object left no `credits` column: net was the gross
    record = json.loads(GCP_LINES.read_text(encoding="utf-8").splitlines()[0])
    record |= {"cost": 2.5, "credits": {"name": "Sustained use", "amount": -0.5}}
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps(record) + "\n")
    lines = GcpBilling().convert(GcpBilling().read(export).with_row_index("_line", offset=1))
    assert lines["_problem"].to_list() == [
        'credits: not a list of credits, each with an amount: \'{"name":"Sustained use","amount":-0.5}\''
    ]


def test_a_stray_quote_names_its_line_not_polars_buffer(tmp_path: Path) -> None:
    # polars said "CSV malformed: expected 0 rows, actual 1 rows, in chunk starting at row_offset 1"
    path = tmp_path / "tool.csv"
    path.write_text(f'{HEADER}\n2025-06-01,USD,1,"a ""quoted"" one"\n2025-06-01,USD,2,27" monitor\n')
    stray = (
        r"tool.csv: line 3: a quote in a field that does not start with one, or a quoted field never "
        r'closed: quote the whole field and double the quotes in it \("27"" monitor"\)$'
    )
    with pytest.raises(UnreadableFileError, match=stray):
        read_csv_text(path)
    with pytest.raises(UnreadableFileError, match=stray):
        _ingest(tmp_path, path)


RESERVED = r"\(_line, _file, _month, _read_problem(, _unreadable)?\); rename that column in the file$"


@pytest.mark.parametrize(
    ("name", "content", "column"),
    [
        ("usage.csv", "team,_file,gb\na,x,1\n", "_file"),  # overwritten by the file's path
        ("usage.csv", "_line,team,gb\n7,a,1\n", "_line"),  # polars' "more than one occurrence"
        ("usage.jsonl", '{"team": "a", "_month": "2025-01", "gb": "1"}\n', "_month"),
        ("usage.jsonl", '{"team": "a", "_unreadable": "x", "gb": "1"}\n', "_unreadable"),  # rejected
        ("usage.parquet", None, "_read_problem"),  # taken for the reason to reject the record
    ],
)
def test_a_column_named_as_the_platform_s_own_is_refused_naming_it(
    tmp_path: Path, name: str, content: str | None, column: str
) -> None:
    path = tmp_path / name
    if content is None:
        pl.DataFrame({"team": ["a"], column: ["x"], "gb": ["1"]}).write_parquet(path)
    else:
        path.write_text(content)
    refused = rf"{name}: its column '{column}' has the name of a column the platform adds to every record "
    with pytest.raises(UnreadableFileError, match=refused + RESERVED):
        read_tabular_file(path)
    with pytest.raises(UnreadableFileError, match=refused + RESERVED):
        list(tabular_file_batches(path, 1))


@pytest.mark.parametrize("name", ["june.csv", "june.parquet"])
def test_a_focus_file_with_a_column_named_as_the_platform_s_own_lands_nothing(
    tmp_path: Path, name: str
) -> None:
    # read by its 13 columns, the file's `_file` went unseen until a rejected record was read whole
    path = tmp_path / name
    rows = {"BillingPeriodStart": ["2025-06-01"] * 2, "BillingCurrency": ["USD"] * 2,
            "EffectiveCost": ["1", "n/a"], "_file": ["export-7", "export-7"]}  # fmt: skip
    if name.endswith(".csv"):
        pl.DataFrame(rows).write_csv(path)
    else:
        pl.DataFrame(rows).write_parquet(path)
    slice_ = LandingSlice(tmp_path / "landing", "cloud", JUNE)
    with pytest.raises(UnreadableFileError, match=rf"{name}: its column '_file' has the name of a column"):
        ingest_focus_month(path, FocusOptions(), slice_)
    assert not slice_.lines.exists()


def test_a_json_document_cut_short_is_named_where_it_breaks_not_at_its_first_line(tmp_path: Path) -> None:
    # an OpenCost /allocation answer over many lines, cut at 3,000 bytes: it was said to break at
    # line 1, column 2 (its first line, "{", read as a record of its own)
    path = tmp_path / "allocation.json"
    path.write_text((SAMPLES / "opencost" / "allocation-example-output.json").read_text()[:3000])
    with pytest.raises(SourceFilesError, match=r"allocation.json: line 95, column 45: not JSON: "):
        header(path)
