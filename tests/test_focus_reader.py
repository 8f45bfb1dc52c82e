"""Reading FOCUS files: formats, header variants, typed Parquet, and finding a month's files."""

from __future__ import annotations

import gzip
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finops_assets.landing import LandingSlice
from finops_assets.sources.file_index import FileMonthIndex
from finops_assets.sources.files import SourceFilesError, UnplaceableFileError, source_files
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import FocusOptions
from finops_assets.sources.focus.normalize import consumption_facts, normalize_focus
from finops_assets.sources.focus.reader import month_expr, read_focus_file


def test_header_variants_bom_and_old_names(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(
        "\ufeff BillingPeriodStart ,ChargeType,AmortizedCost,SkuPriceid,billingcurrency\n"
        "2023-01-01 00:00:00,Usage,NULL,sku,USD\n\n"
        "2023-01-01 00:00:00,Usage,1.5E-3,sku,USD\n".encode()
    )
    frame = read_focus_file(path)
    assert frame.columns == [
        "_line", "BillingPeriodStart", "ChargeCategory", "EffectiveCost", "SkuPriceId", "BillingCurrency",
    ]  # fmt: skip
    assert frame["_line"].to_list() == [1, 2]  # the blank line is not a record
    assert frame["EffectiveCost"].to_list() == [None, "1.5E-3"]


def test_typed_parquet_with_map_tags(tmp_path: Path) -> None:
    map_type = pl.List(pl.Struct({"key": pl.String, "value": pl.String}))
    pl.DataFrame(
        {
            "BillingPeriodStart": [datetime(2025, 4, 1)] * 3,
            "BillingCurrency": ["EUR"] * 3,
            "ChargeCategory": ["Usage", "Usage", "Tax"],
            "ProviderName": ["Azure"] * 3,
            "ServiceName": ["Virtual Machines"] * 3,
            "ServiceCategory": ["Compute"] * 3,
            "PricingUnit": ["Hours", "Hours", None],
            "PricingQuantity": pl.Series([2.5, 0.1, None], dtype=pl.Float64),
            "EffectiveCost": pl.Series(
                [Decimal("1.25"), Decimal("0.05"), Decimal("0.25")], dtype=pl.Decimal(12, 4)
            ),
            "Tags": pl.Series(
                [[{"key": "application", "value": "crm"}], [{"key": "team", "value": "x"}], None],
                dtype=map_type,
            ),
        }
    ).write_parquet(tmp_path / "april.parquet")

    raw = read_focus_file(tmp_path / "april.parquet").with_columns(
        pl.lit("april.parquet").alias("_file"), pl.lit("2025-04").alias("_month")
    )
    lines, rejects = normalize_focus(raw, FocusOptions(application_tag="application"))
    facts, products = consumption_facts(lines, FocusOptions())

    assert rejects.height == 0
    assert sorted(
        (row["application_code"], row["product_code"], row["unit"], row["quantity"], row["source_cost"])
        for row in facts.iter_rows(named=True)
    ) == [
        ("crm", "azure:virtual-machines:hours", "Hours", Decimal("2.5"), Decimal("1.25")),
        ("unallocated", "azure:tax:eur", "EUR", Decimal("0.25"), Decimal("0.25")),
        ("unallocated", "azure:virtual-machines:hours", "Hours", Decimal("0.1"), Decimal("0.05")),
    ]
    assert products.filter(pl.col("is_monetary"))["family_code"].to_list() == ["monetary"]


def test_gzip_csv_glob_and_folder(tmp_path: Path) -> None:
    bills = tmp_path / "bills" / "2025"
    bills.mkdir(parents=True)
    plain = bills / "a.csv"
    plain.write_text("BillingPeriodStart,BillingCurrency,EffectiveCost\n2025-05-01T00:00:00Z,USD,2\n")
    with plain.open("rb") as source, gzip.open(bills / "b.csv.gz", "wb") as target:
        shutil.copyfileobj(source, target)
    (bills / "notes.txt").write_text("not a bill")
    # hidden names are not deliveries: a NetApp snapshot's old copy, an upload under way
    (tmp_path / "bills" / ".snapshot" / "hourly.0").mkdir(parents=True)
    shutil.copy(plain, tmp_path / "bills" / ".snapshot" / "hourly.0" / "a.csv")
    shutil.copy(plain, bills / ".a.csv")

    assert source_files(tmp_path / "bills") == [bills / "a.csv", bills / "b.csv.gz"]
    # as a glob's ** (Python's glob leaves hidden names out)
    assert source_files(tmp_path / "bills" / "**" / "*.csv") == [bills / "a.csv"]
    assert source_files(tmp_path / "bills" / "**" / "*.gz") == [bills / "b.csv.gz"]
    assert read_focus_file(bills / "b.csv.gz")["EffectiveCost"].to_list() == ["2"]
    with pytest.raises(SourceFilesError, match="unsupported file type"):
        source_files(bills / "notes.txt")
    with pytest.raises(SourceFilesError, match="no such file or folder"):
        source_files(tmp_path / "absent")
    # a glob under a folder that is not there (a share not mounted) is no "month not delivered"
    assert source_files(tmp_path / "bills" / "2030-*.csv") == []
    with pytest.raises(SourceFilesError, match=f"absent/\\*/\\*.csv: no such folder {tmp_path / 'absent'}$"):
        source_files(tmp_path / "absent" / "*" / "*.csv")


def test_a_month_reads_only_its_files_and_the_index_follows_changes(tmp_path: Path) -> None:
    folder = tmp_path / "bills"
    folder.mkdir()
    for month in ("2025-05", "2025-06"):
        (folder / f"{month}.csv").write_text(
            f"BillingPeriodStart,BillingCurrency,EffectiveCost\n{month}-01,USD,1.5\n{month}-01,USD,2\n"
        )
    slice_ = LandingSlice(tmp_path / "landing", "cloud", date(2025, 6, 1))
    summary = ingest_focus_month(folder, FocusOptions(), slice_)
    assert [Path(str(f["path"])).name for f in summary.files] == ["2025-06.csv"]
    assert summary.source_cost == {"USD": Decimal("3.5")}

    index = FileMonthIndex(slice_.root / "cloud" / "_file_index.json")
    may = index.lookup(folder / "2025-05.csv")
    assert may == frozenset({"2025-05"})
    # May re-delivered with a June line: the changed file is indexed again and read for June
    (folder / "2025-05.csv").write_text(
        "BillingPeriodStart,BillingCurrency,EffectiveCost\n2025-05-01,USD,1.5\n2025-06-30,USD,0.25\n"
    )
    assert FileMonthIndex(index.index_path).lookup(folder / "2025-05.csv") is None
    summary = ingest_focus_month(folder, FocusOptions(), slice_)
    assert summary.rows_read == 3
    assert summary.source_cost == {"USD": Decimal("3.75")}


def test_a_file_with_no_readable_month_fails_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("BillingPeriodStart,BillingCurrency,EffectiveCost\nsoon,USD,1\n")
    slice_ = LandingSlice(tmp_path / "landing", "cloud", date(2025, 6, 1))
    with pytest.raises(
        UnplaceableFileError, match=r"bad.csv: none of its 1 rows has a readable BillingPeriodStart"
    ):
        ingest_focus_month(path, FocusOptions(), slice_)


def test_parquet_inputs_land_as_byte_copies_with_normalised_lines(tmp_path: Path) -> None:
    source = tmp_path / "june.parquet"
    pl.DataFrame(
        {
            "BillingPeriodStart": ["2025-06-01T00:00:00Z"] * 2,
            "BillingCurrency": ["USD"] * 2,
            "PricingQuantity": ["1", "2"],
            "EffectiveCost": ["0.10", "0.20"],
        }
    ).write_parquet(source)
    slice_ = LandingSlice(tmp_path / "landing", "cloud", date(2025, 6, 1))
    ingest_focus_month(source, FocusOptions(), slice_)

    assert slice_.read_manifest()["lines_layout"] == "source_files"
    copy = slice_.folder / "source_files" / "000_june.parquet"
    assert copy.read_bytes() == source.read_bytes()
    lines = pl.read_parquet(slice_.lines)
    assert lines.columns == [
        "_file",
        "_line",
        "month",
        "currency",
        "application_code",
        "application_rule",
        "is_monetary",
        "quantity",
        "cost",
    ]
    # a line's source columns are one join away, by (_file, _line)
    joined = lines.join(
        pl.read_parquet(slice_.folder / lines["_file"][0]).with_row_index("_line", offset=1), on="_line"
    )
    assert joined["EffectiveCost"].to_list() == ["0.10", "0.20"]
    assert [str(c) for c in joined["cost"]] == ["0.100000000000000000", "0.200000000000000000"]


def test_files_typing_a_column_differently_are_read_exactly(tmp_path: Path) -> None:
    folder = tmp_path / "bills"
    folder.mkdir()
    common = {"BillingPeriodStart": ["2025-06-01T00:00:00Z"], "BillingCurrency": ["USD"]}
    exact = pl.Series([Decimal("0.123456789012345678")], dtype=pl.Decimal(38, 18))
    pl.DataFrame(common | {"EffectiveCost": exact}).write_parquet(folder / "a.parquet")
    pl.DataFrame(common | {"EffectiveCost": pl.Series([0.5], dtype=pl.Float64)}).write_parquet(
        folder / "b.parquet"
    )
    slice_ = LandingSlice(tmp_path / "landing", "cloud", date(2025, 6, 1))
    summary = ingest_focus_month(folder, FocusOptions(), slice_)
    # as a float, the Decimal would have become 0.12345678901234568
    assert summary.source_cost == {"USD": Decimal("0.623456789012345678")}
    assert pl.read_parquet(slice_.facts)["source_cost"].sum() == Decimal("0.623456789012345678")


def test_duplicate_headers_and_values_too_large_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "june.csv"
    path.write_text(
        "BillingPeriodStart,billingcurrency,BillingCurrency,EffectiveCost\n"
        "2025-06-01,usd,USD,1.25\n"
        "2025-06-01,usd,USD,123456789012345678901.5\n"
    )
    assert read_focus_file(path).columns == [
        "_line", "BillingPeriodStart", "billingcurrency", "BillingCurrency", "EffectiveCost",
    ]  # fmt: skip
    slice_ = LandingSlice(tmp_path / "landing", "cloud", date(2025, 6, 1))
    summary = ingest_focus_month(path, FocusOptions(), slice_)
    assert (summary.rows_read, summary.rows_rejected) == (2, 1)
    # the rejected amount is still counted, exactly, in the file's total
    assert summary.source_cost == {"USD": Decimal("123456789012345678902.75")}
    assert summary.rejected_cost == {"USD": Decimal("123456789012345678901.5")}
    assert pl.read_parquet(slice_.rejects)["reason"].to_list() == [
        "EffectiveCost: over 20 integer digits: '123456789012345678901.5'"
    ]


def test_a_timestamp_with_a_time_zone_is_placed_in_its_utc_month(tmp_path: Path) -> None:
    start = (
        pl.Series([datetime(2024, 9, 1)]).dt.replace_time_zone("UTC").dt.convert_time_zone("America/New_York")
    )
    pl.DataFrame(
        {"BillingPeriodStart": start, "BillingCurrency": ["USD"], "EffectiveCost": ["1"]}
    ).write_parquet(tmp_path / "sept.parquet")
    assert (frame := read_focus_file(tmp_path / "sept.parquet")).select(month_expr(frame)).item() == "2024-09"
