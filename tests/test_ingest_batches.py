"""Issue 14, item 1: a month larger than the batch size lands exactly what one batch lands:
the same facts, products, lines, rejects and manifest, and the totals computed here by hand."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import polars as pl
import pytest

from finops_assets.landing import LandingSlice
from finops_assets.sources.batches import BATCH_ROWS_SETTING, batch_rows
from finops_assets.sources.files import SourceFilesError
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import FocusOptions
from finops_assets.sources.monthly import Delivery, IngestSummary
from finops_assets.sources.tabular.ingest import TabularOptions, ingest_tabular_month
from finops_core.config import RowFilters
from finops_core.tabular import FieldSpec, MonthSpec, TabularMapping
from tests.test_month_loads import line, write_csv

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
BAD_COST = "EffectiveCost: not a number: 'n/a'"


def _cost(number: int) -> str:
    return f"{number % 97}.{number % 100:02d}"


def focus_month(folder: Path) -> tuple[dict[str, Decimal], dict[str, Decimal], dict[str, str]]:
    """3,500 January rows over a CSV (2,000, with 200 February rows among them) and a Parquet
    file (1,500): rejects at rows 10, 1,500 and 1,990 of the CSV and 1,200 of the Parquet file,
    a NUL character in a service name at CSV row 2,150, USD and EUR lines.
    Returns the expected cost per currency (read, rejected) and reason per (file, line)."""
    read: dict[str, Decimal] = defaultdict(Decimal)
    rejected: dict[str, Decimal] = defaultdict(Decimal)
    reasons: dict[str, str] = {}
    csv_rows, parquet_rows = [], []
    for number in range(1, 2201):
        month = FEB if number % 11 == 0 else JAN
        cost = "n/a" if number in (10, 1500, 1990) else _cost(number)
        row = line(month, cost, app=f"app-{number % 7}")
        if number == 2150:  # PostgreSQL text cannot hold it: the line is rejected, naming the column
            row["ServiceName"] = "Amazon\x00EC2"
        row["BillingCurrency"] = "USD" if number % 3 else "EUR"
        csv_rows.append(row)
        if month != JAN:
            continue
        currency = row["BillingCurrency"]
        if cost == "n/a":
            reasons[f"bill.csv:{number}"] = BAD_COST
        else:
            read[currency] += Decimal(cost)
        if number == 2150:
            reasons[f"bill.csv:{number}"] = "ServiceName: NUL character"
            rejected[currency] += Decimal(cost)
    for number in range(1, 1501):
        cost = "n/a" if number == 1200 else _cost(number * 7)
        row = line(JAN, cost, app=f"app-{number % 5}")
        parquet_rows.append(row | {"ResourceId": f"i-{number}"})
        if cost == "n/a":
            reasons[f"more.parquet:{number}"] = BAD_COST
        else:
            read["EUR"] += Decimal(cost)
    write_csv(folder / "bill.csv", csv_rows)
    pl.DataFrame(parquet_rows).write_parquet(folder / "more.parquet")
    return dict(read), dict(rejected), reasons


def landed(slice_: LandingSlice) -> dict[str, object]:
    manifest = json.loads(slice_.manifest.read_text())
    # the files' bytes depend on how rows fell into batches (row groups, rejects' order): their
    # contents are compared below, sorted
    hashes = manifest.pop("landed_sha256")
    assert sorted(hashes) == ["facts.parquet", "lines.parquet", "products.parquet", "rejects.parquet"]
    return {
        "manifest": manifest,
        "facts": pl.read_parquet(slice_.facts),
        "products": pl.read_parquet(slice_.products),
        "lines": pl.read_parquet(slice_.lines).sort("_file", "_line"),
        "rejects": pl.read_parquet(slice_.rejects).sort("_file", "_line"),
    }


def same(batched: dict[str, object], whole: dict[str, object]) -> None:
    assert batched["manifest"] == whole["manifest"]
    for name in ("facts", "products", "lines", "rejects"):
        left, right = batched[name], whole[name]
        assert isinstance(left, pl.DataFrame) and isinstance(right, pl.DataFrame)
        assert left.equals(right.select(left.columns)), name
        assert sorted(left.columns) == sorted(right.columns), name


def ingest_focus(folder: Path, root: Path, rows: int, monkeypatch: pytest.MonkeyPatch) -> IngestSummary:
    monkeypatch.setenv(BATCH_ROWS_SETTING, str(rows))
    slice_ = LandingSlice(root, "cloud", JAN)
    return ingest_focus_month(folder, FocusOptions(application_tag="application"), slice_)


def test_a_month_over_many_batches_lands_what_one_batch_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bills = tmp_path / "bills"
    bills.mkdir()
    read, rejected, reasons = focus_month(bills)
    whole = ingest_focus(bills, tmp_path / "whole", 1_000_000, monkeypatch)
    # 15 batches of 250 records: the rejects fall in 4 of them, and the batches' aggregates are
    # merged in rounds (MERGED_PARTS) before the month's
    batched = ingest_focus(bills, tmp_path / "batched", 250, monkeypatch)

    assert batched == whole
    january_csv = 2200 - 2200 // 11
    assert (batched.rows_read, batched.rows_rejected) == (january_csv + 1500, 5)
    assert (batched.source_cost, batched.rejected_cost) == (read, rejected)
    one, many = (
        landed(LandingSlice(tmp_path / "whole", "cloud", JAN)),
        landed(LandingSlice(tmp_path / "batched", "cloud", JAN)),
    )
    same(many, one)
    rejects = many["rejects"]
    assert isinstance(rejects, pl.DataFrame)
    found = {f"{Path(f).name}:{n}": r for f, n, r in rejects.select("_file", "_line", "reason").rows()}
    assert found == reasons
    facts = many["facts"]
    assert isinstance(facts, pl.DataFrame)
    by_currency = facts.group_by("currency").agg(pl.col("source_cost").sum(), pl.col("line_count").sum())
    loaded = {c: read[c] - rejected.get(c, Decimal(0)) for c in read}
    assert {c: v for c, v, _ in by_currency.rows()} == loaded
    assert by_currency["line_count"].sum() == batched.rows_read - 5
    manifest = many["manifest"]
    assert isinstance(manifest, dict)
    # both files kept as they are, their lines pointing into them; read with the columns
    # normalisation needs, the CSV's rejects read again whole from the blocks that held them
    assert manifest["lines_layout"] == "source_files"
    csv_rejects = rejects.filter(pl.col("_file").str.ends_with("bill.csv")).sort("_line")
    assert csv_rejects.select("_line", "ServiceCategory", "ProviderName").rows() == [
        (line, "Compute", "AWS") for line in (10, 1500, 1990, 2150)
    ]

    # again: the same files and options keep the landing (sources/manifest.py)
    again = ingest_focus(bills, tmp_path / "batched", 250, monkeypatch)
    assert again == dataclasses.replace(batched, reused=True)
    same(landed(LandingSlice(tmp_path / "batched", "cloud", JAN)), one)
    # landed again, from the month index: the same month (idempotent)
    slice_ = LandingSlice(tmp_path / "batched", "cloud", JAN)
    options = FocusOptions(application_tag="application")
    assert ingest_focus_month(bills, options, slice_, delivery=Delivery(reland=True)) == batched
    same(landed(slice_), one)


def test_a_parquet_only_month_in_batches_points_into_its_copied_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bills = tmp_path / "bills"
    bills.mkdir()
    focus_month(bills)
    (bills / "bill.csv").unlink()
    shutil.copyfile(bills / "more.parquet", bills / "again.parquet")
    whole = ingest_focus(bills, tmp_path / "whole", 1_000_000, monkeypatch)
    batched = ingest_focus(bills, tmp_path / "batched", 700, monkeypatch)
    assert batched == whole
    assert (batched.rows_read, batched.rows_rejected) == (3000, 2)
    many = landed(LandingSlice(tmp_path / "batched", "cloud", JAN))
    same(many, landed(LandingSlice(tmp_path / "whole", "cloud", JAN)))
    manifest = many["manifest"]
    assert isinstance(manifest, dict) and manifest["lines_layout"] == "source_files"
    # the batches were read with the columns normalisation needs; the rejects keep every one
    rejects = many["rejects"]
    assert isinstance(rejects, pl.DataFrame)
    assert set(pl.read_parquet_schema(bills / "more.parquet")) < set(rejects.columns)
    assert rejects.select("_line", "reason", "ResourceId").rows() == [
        (1200, BAD_COST, "i-1200"),
        (1200, BAD_COST, "i-1200"),
    ]


def test_a_nul_in_a_column_normalisation_does_not_read_names_it_in_the_reject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bills = tmp_path / "bills"
    bills.mkdir()
    rows = [line(JAN, "n/a" if n == 1500 else "1.00") | {"ResourceId": f"i-{n}"} for n in range(1, 2001)]
    rows[1499]["ResourceId"] = "i-\x00"
    pl.DataFrame(rows).write_parquet(bills / "bill.parquet")
    summary = ingest_focus(bills, tmp_path / "landing", 1_000, monkeypatch)
    assert (summary.rows_read, summary.rows_rejected) == (2000, 1)
    rejects = pl.read_parquet(LandingSlice(tmp_path / "landing", "cloud", JAN).rejects)
    assert rejects.select("_line", "reason", "ResourceId").rows() == [
        (1500, "ResourceId: NUL character", "i-\ufffd")
    ]


def usage_mapping(
    application: str, product: str, cost: FieldSpec | None = None, currency: FieldSpec | str = "EUR"
) -> TabularMapping:
    """Usage records: their month, application, product, `qty` and `unit` in those columns."""
    return TabularMapping(
        month=MonthSpec(column="month"),
        application=FieldSpec(column=application),
        product=FieldSpec(column=product),
        quantity=FieldSpec(column="qty"),
        unit=FieldSpec(column="unit"),
        cost=cost,
        currency=currency,
    )


def test_a_product_in_two_units_is_rejected_across_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tabular check that a product keeps one unit spans the month, not a batch."""
    rows = [
        {"month": "2025-01", "app": "a", "product": "disk" if n % 2 else "cpu", "qty": "1", "unit": "GB"}
        for n in range(1, 2501)
    ]
    rows[2400]["unit"] = "TB"  # one disk line of batch 3 in another unit: every disk line goes
    folder = tmp_path / "usage"
    folder.mkdir()
    pl.DataFrame(rows).write_csv(folder / "usage.csv")
    mapping = usage_mapping("app", "product")
    summaries = []
    for root, size in (("whole", 1_000_000), ("batched", 1_000)):
        monkeypatch.setenv(BATCH_ROWS_SETTING, str(size))
        summaries.append(
            ingest_tabular_month(folder, TabularOptions(mapping), LandingSlice(tmp_path / root, "tool", JAN))
        )
    assert summaries[0] == summaries[1]
    assert (summaries[1].rows_read, summaries[1].rows_rejected) == (2500, 1250)
    assert summaries[1].source_quantity == {"GB": Decimal(2499), "TB": Decimal(1)}
    assert summaries[1].rejected_quantity == {"GB": Decimal(1249), "TB": Decimal(1)}
    same(
        landed(LandingSlice(tmp_path / "batched", "tool", JAN)),
        landed(LandingSlice(tmp_path / "whole", "tool", JAN)),
    )


USAGE = ("project", "service", "status", "qty", "unit", "cost", "currency")
FILTERED_USAGE: dict[str, list[tuple[str, ...]]] = {
    # project, service, status, qty, unit, cost, currency(, note)  -> what becomes of the record
    "a.csv": [
        ("pay", "disk", "billed", "10", "GB", "1.10", "EUR", ""),  # 1 loaded
        ("pay", "disk", "estimate", "4", "TB", "0.40", "EUR", ""),  # 2 filtered (keep status): no TB disk
        ("bill", "cpu", "billed", "2", "h", "0.20", "EUR", ""),  # 3 rejected: cpu in h and min (row 7)
        ("sandbox-1", "disk", "billed", "7", "GB", "0.70", "USD", ""),  # 4 filtered (drop project)
        ("bill", "disk", "billed", "5", "GB", "0.55", "USD", "test"),  # 5 filtered (drop note)
        ("bill", "disk", "adjusted", "3", "GB", "0.33", "EUR", ""),  # 6 loaded
        ("pay", "cpu", "billed", "30", "min", "0.05", "EUR", ""),  # 7 rejected: cpu in h and min
        ("pay", "disk", "billed", "x", "GB", "1.00", "EUR", ""),  # 8 rejected: qty not a number
        ("bill", "disk", "billed", "6", "GB", "0.60", "EUR", ""),  # 9 loaded
    ],
    "b.csv": [  # no `note` column: its records meet no `note` condition, so none is dropped by it
        ("pay", "disk", "billed", "8", "GB", "0.80", "EUR"),  # 1 loaded
        ("pay", "disk", "estimate", "2", "GB", "0.20", "USD"),  # 2 filtered (keep status)
        ("sandbox-2", "cpu", "estimate", "1", "h", "9.99", "EUR"),  # 3 filtered (both)
    ],
}
USAGE_FILTERS = {
    "keep": {"status": ["billed", "adjusted"]},
    "drop": {"project": {"regex": "^sandbox-"}, "note": "test"},
}


def test_a_filtered_month_over_many_batches_lands_what_one_batch_lands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row filters apply batch by batch: the filtered rows, cost and quantity add up over the
    batches to the month's, and a product's units are judged over the records the filters keep
    in every batch (cpu's h in batch 1 and min in batch 3 of a.csv; disk's TB is filtered)."""
    folder = tmp_path / "usage"
    folder.mkdir()
    for name, records in FILTERED_USAGE.items():
        header = USAGE + (("note",) if name == "a.csv" else ())
        pl.DataFrame([("2025-01", *r) for r in records], schema=["month", *header], orient="row").write_csv(
            folder / name
        )
    mapping = usage_mapping("project", "service", FieldSpec(column="cost"), FieldSpec(column="currency"))
    options = TabularOptions(mapping, filters=msgspec.convert(USAGE_FILTERS, RowFilters))
    summaries, logs = [], []
    for root, size in (("whole", 1_000_000), ("batched", 2)):  # a.csv in 5 batches, b.csv in 2
        monkeypatch.setenv(BATCH_ROWS_SETTING, str(size))
        logs.append(log := list[str]())
        summaries.append(
            ingest_tabular_month(folder, options, LandingSlice(tmp_path / root, "tool", JAN), log.append)
        )
    whole, batched = summaries
    assert batched == whole
    assert "filtered 5 of 12 rows (the source's filters)" in logs[1]
    # read 12 = 4 loaded (a1, a6, a9, b1) + 3 rejected (a3, a7, a8) + 5 filtered (a2, a4, a5, b2, b3)
    assert (batched.rows_read, batched.rows_rejected, batched.rows_filtered) == (12, 3, 5)
    # EUR: 1.10 + 0.40 + 0.20 + 0.33 + 0.05 + 1.00 + 0.60 + 0.80 + 9.99; USD: 0.70 + 0.55 + 0.20
    assert batched.source_cost == {"EUR": Decimal("14.47"), "USD": Decimal("1.45")}
    assert batched.rejected_cost == {"EUR": Decimal("1.25")}  # 0.20 + 0.05 + 1.00
    assert batched.filtered_cost == {"EUR": Decimal("10.39"), "USD": Decimal("1.45")}  # 0.40 + 9.99
    # GB: 10 + 7 + 5 + 3 + 6 + 8 + 2 ('x' is no amount) = 41 = 27 loaded + 14 filtered (7 + 5 + 2)
    assert batched.source_quantity == {
        "GB": Decimal(41),
        "TB": Decimal(4),
        "h": Decimal(3),
        "min": Decimal(30),
    }
    assert batched.rejected_quantity == {"h": Decimal(2), "min": Decimal(30)}
    assert batched.filtered_quantity == {"GB": Decimal(14), "TB": Decimal(4), "h": Decimal(1)}
    many = landed(LandingSlice(tmp_path / "batched", "tool", JAN))
    same(many, landed(LandingSlice(tmp_path / "whole", "tool", JAN)))
    manifest = many["manifest"]
    assert isinstance(manifest, dict)
    assert {k: manifest[k] for k in ("rows_read", "rows_loaded", "rows_rejected", "rows_filtered")} == {
        "rows_read": 12,
        "rows_loaded": 4,
        "rows_rejected": 3,
        "rows_filtered": 5,
    }
    assert (manifest["filtered_cost"], manifest["filtered_quantity"]) == (
        {"EUR": "10.39", "USD": "1.45"},
        {"GB": "14", "TB": "4", "h": "1"},
    )
    facts, rejects = many["facts"], many["rejects"]
    assert isinstance(facts, pl.DataFrame) and isinstance(rejects, pl.DataFrame)
    assert facts.select(
        "application_code", "product_code", "currency", "unit", "quantity", "source_cost", "line_count"
    ).rows() == [
        ("bill", "disk", "EUR", "GB", Decimal(9), Decimal("0.93"), 2),  # a6 + a9
        ("pay", "disk", "EUR", "GB", Decimal(18), Decimal("1.90"), 2),  # a1 + b1
    ]
    several = "unit: product 'cpu' comes in several units (h, min); give each unit its own product"
    assert [(Path(f).name, n, r) for f, n, r in rejects.select("_file", "_line", "reason").rows()] == [
        ("a.csv", 3, several),
        ("a.csv", 7, several),
        ("a.csv", 8, "qty: not a number: 'x'"),
    ]

    # a filter's column no file has fails in one line, before anything lands: the month stays
    misspelt = TabularOptions(mapping, filters=msgspec.convert({"keep": {"statuz": "billed"}}, RowFilters))
    with pytest.raises(SourceFilesError) as failure:
        ingest_tabular_month(folder, misspelt, LandingSlice(tmp_path / "batched", "tool", JAN))
    assert str(failure.value) == (
        "filters.keep.statuz: no such column in the month's files (did you mean 'status'? "
        "they have: cost, currency, month, note, project, qty, service, status, unit)"
    )
    same(landed(LandingSlice(tmp_path / "batched", "tool", JAN)), many)


def test_the_gate_sees_every_batch_s_rejects_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bills = tmp_path / "bills"
    bills.mkdir()
    _, _, reasons = focus_month(bills)
    seen: list[tuple[int, Counter[str]]] = []
    monkeypatch.setenv(BATCH_ROWS_SETTING, "1000")
    delivery = Delivery(gate=lambda summary, counted: seen.append((summary.rows_rejected, counted)))
    slice_ = LandingSlice(tmp_path / "landing", "cloud", JAN)
    ingest_focus_month(bills, FocusOptions(application_tag="application"), slice_, delivery=delivery)
    assert seen == [(5, Counter(reasons.values()))]


@pytest.mark.parametrize("text", ["0", "-5", "many", "1e6", "\u00b2", "99999999999999999999"])
def test_a_bad_batch_size_is_named(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BATCH_ROWS_SETTING, text)
    with pytest.raises(ValueError, match=f"{BATCH_ROWS_SETTING}='{text}': expected a whole number"):
        batch_rows()
    monkeypatch.delenv(BATCH_ROWS_SETTING)
    assert batch_rows() == 250_000


@pytest.mark.parametrize("rows", [1, 1_000])
def test_a_product_in_several_service_categories_takes_the_family_of_its_largest_cost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    # one product (the service and its pricing unit) billed under five categories, the largest
    # cost (-7.00 in absolute value, against 2.50, 3.00, 1.00 and 6.99) under Storage, whatever
    # the order of the lines and the batches
    rows_ = [
        line(JAN, "2.50", ServiceCategory="Fee"),
        line(JAN, "3.00", ServiceCategory="Compute"),
        line(JAN, "-7.00", ServiceCategory="Storage"),
        line(JAN, "1.00", ServiceCategory="Databases"),
        line(JAN, "6.99", ServiceCategory="Networking"),
    ]
    for order, folder in ((rows_, "ahead"), (rows_[::-1], "behind")):
        write_csv(tmp_path / folder / "bill.csv", order)
        slice_ = LandingSlice(tmp_path / f"landing-{folder}", "cloud", JAN)
        ingest_focus(tmp_path / folder, slice_.root, rows, monkeypatch)
        products = pl.read_parquet(slice_.products)
        assert products.select("product_code", "family_code").rows() == [
            ("aws:amazon-elastic-compute-cloud:hours", "storage")
        ]
