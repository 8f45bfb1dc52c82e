"""Row filters of a tabular source (issue 12, item 3): the records a source keeps or drops before
mapping. Filtered records are neither loaded nor rejected, but counted apart, so that nothing is
lost (rows read = loaded + rejected + filtered) and the files' totals still balance to the cent
(file = mart + rejected + filtered, per currency and per unit). Figures computed by hand below."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import polars as pl
import pytest

from finops_assets.sources.files import READ_PROBLEM
from finops_assets.sources.tabular.normalize import normalize_tabular
from finops_core.config import ConfigError, RowFilters, SourceConfig, load_config
from finops_core.tabular import TabularMapping
from tests.pipeline import fact_total, mart_snapshot, query, run_month
from tests.test_deliveries_held import run

JAN = date(2025, 1, 1)
HEADER = ("month", "project", "service", "status", "hours", "cost", "currency")
BILLS = [
    # project, status, hours, cost, currency               -> what becomes of the record
    ("pay", "billed", "10", "12.50", "EUR"),  # 1 loaded
    ("pay", "estimate", "3", "3.75", "EUR"),  # 2 filtered: keep status
    ("bill", "billed", "4", "5.00", "EUR"),  # 3 loaded
    ("sandbox-1", "billed", "2", "2.50", "EUR"),  # 4 filtered: drop project
    ("bill", "adjusted", "four", "1.25", "EUR"),  # 5 rejected: hours not a number
    ("bill", "billed", "1", "0.40", "USD"),  # 6 loaded
    ("pay", "estimate", "5", "7.00", "USD"),  # 7 filtered: keep status
    ("bill", "", "6", "9.99", "EUR"),  # 8 filtered: an empty status meets no condition
    ("sandbox-2", "estimate", "x", "bad", "EUR"),  # 9 filtered, though it would be rejected
]
MAPPING = {
    "month": {"column": "month"},
    "application": {"column": "project"},
    "product": {"column": "service"},
    "quantity": {"column": "hours"},
    "cost": {"column": "cost"},
    "currency": {"column": "currency"},
    "unit": "h",
}
FILTERS = {"keep": {"status": ["billed", "adjusted"]}, "drop": {"project": {"regex": "^sandbox-"}}}


def write_bills(path: Path, bills: list[tuple[str, str, str, str, str]], month: str = "2025-01") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows((month, project, "vm", *rest) for project, *rest in bills)
    return path


def source(path: Path, filters: dict[str, Any] = FILTERS) -> SourceConfig:
    return SourceConfig(
        name="cloud",
        kind="tabular",
        path=str(path),
        mapping=msgspec.convert(MAPPING, TabularMapping),
        filters=msgspec.convert(filters, RowFilters),
    )


def audits(url: str) -> list[tuple[Any, ...]]:
    """Each attempt's status, counts, totals (source, rejected, filtered) as decimals, reason."""
    rows = query(
        url,
        "SELECT status, rows_read, rows_loaded, rows_rejected, rows_filtered, source_cost, rejected_cost,"
        " filtered_cost, reason FROM finops.load_audit ORDER BY load_id",
    )
    return [
        (*row[:5], *({k: Decimal(v) for k, v in totals.items()} for totals in row[5:8]), row[8])
        for row in rows
    ]


def money(**totals: str) -> dict[str, Decimal]:
    return {currency: Decimal(total) for currency, total in totals.items()}


LOADED_AUDIT = (
    "loaded",
    9,
    3,
    1,
    5,
    # EUR: 12.50 + 3.75 + 5.00 + 2.50 + 1.25 + 9.99 ('bad' is no amount); USD: 0.40 + 7.00
    money(EUR="34.99", USD="7.40"),
    money(EUR="1.25"),
    money(EUR="16.24", USD="7.00"),  # 3.75 + 2.50 + 9.99; 7.00
    None,
)


def test_filtered_rows_are_counted_apart_and_the_month_still_balances(mart_url: str, tmp_path: Path) -> None:
    write_bills(tmp_path / "bills" / "jan.csv", BILLS)
    # the blocking checks pass: nothing_lost, conservation and quantity_conservation
    run_month(mart_url, tmp_path / "landing", JAN, source(tmp_path / "bills"))

    assert audits(mart_url) == [LOADED_AUDIT]
    assert query(
        mart_url,
        "SELECT application_code, product_code, currency, unit, quantity, source_cost, line_count"
        " FROM finops.fact_consumption ORDER BY 1, 3",
    ) == [
        ("bill", "vm", "EUR", "h", Decimal("4"), Decimal("5.00"), 1),
        ("bill", "vm", "USD", "h", Decimal("1"), Decimal("0.40"), 1),
        ("pay", "vm", "EUR", "h", Decimal("10"), Decimal("12.50"), 1),
    ]
    # 17.50 + 1.25 rejected + 16.24 filtered = 34.99 EUR; 0.40 + 7.00 = 7.40 USD
    assert fact_total(mart_url, "cloud", JAN) == {"EUR": Decimal("17.50"), "USD": Decimal("0.40")}
    assert query(mart_url, "SELECT line_number, column_name, reason FROM finops.rejected_row") == [
        (5, "hours", "hours: not a number: 'four'")
    ]
    manifest = msgspec.json.decode(
        (tmp_path / "landing" / "cloud" / "2025-01" / "manifest.json").read_bytes()
    )
    # hours: 10 + 3 + 4 + 2 + 1 + 5 + 6 ('four' and 'x' are no amounts) = 31 = 15 loaded + 16 filtered
    assert (manifest["source_quantity"], manifest["rejected_quantity"], manifest["filtered_quantity"]) == (
        {"h": "31"},
        {},
        {"h": "16"},
    )
    assert (manifest["rows_read"], manifest["rows_loaded"], manifest["rows_rejected"]) == (9, 3, 1)
    assert manifest["rows_filtered"] == 5


def test_filters_re_materialize_idempotently(mart_url: str, tmp_path: Path) -> None:
    write_bills(tmp_path / "bills" / "jan.csv", BILLS)
    run_month(mart_url, tmp_path / "landing", JAN, source(tmp_path / "bills"))
    first = mart_snapshot(mart_url)
    run_month(mart_url, tmp_path / "landing", JAN, source(tmp_path / "bills"))

    assert mart_snapshot(mart_url) == first
    assert audits(mart_url) == [LOADED_AUDIT, LOADED_AUDIT]


def test_a_filter_on_an_unknown_column_fails_the_run_naming_it(mart_url: str, tmp_path: Path) -> None:
    write_bills(tmp_path / "bills" / "jan.csv", BILLS)
    misspelt = {"keep": {"statuz": "billed"}}

    failures = run(mart_url, tmp_path, source(tmp_path / "bills", misspelt))

    assert failures == [
        "step cloud__billing_lines failed: DeliveryFailed: cloud 2025-01 failed, the loaded month is "
        "unchanged: filters.keep.statuz: no such column in the month's files (did you mean 'status'? "
        "they have: cost, currency, hours, month, project, service, status)"
    ]
    assert [a[0] for a in audits(mart_url)] == ["failed"]
    assert query(mart_url, "SELECT count(*) FROM finops.fact_consumption") == [(0,)]


CLEAN = [("pay", "billed", "1", "1.00", "EUR")] * 10  # 10 lines, 10.00 EUR, nothing rejected
ESTIMATES = [("pay", "estimate", "1", "1.00", "EUR")] * 30


def test_a_delivery_whose_rows_are_all_filtered_out_is_an_empty_delivery(
    mart_url: str, tmp_path: Path
) -> None:
    bill = write_bills(tmp_path / "bills" / "jan.csv", CLEAN)
    assert run(mart_url, tmp_path, source(tmp_path / "bills")) == []
    before = mart_snapshot(mart_url)

    write_bills(bill, ESTIMATES[:9])
    (failure,) = run(mart_url, tmp_path, source(tmp_path / "bills"))

    assert failure == (
        "step cloud__billing_lines failed: DeliveryHeld: cloud 2025-01 held, the loaded month is unchanged: "
        "empty delivery: all 9 rows of 2025-01 filtered out by the source's filters (the loaded month has "
        "10 lines; a source withdrawn declares the month in delivery.empty_months); "
        "`finops materialize --accept-held` (run config accept_held) replaces it"
    )
    assert mart_snapshot(mart_url) == before
    assert audits(mart_url)[-1][:8] == ("held", 9, 0, 0, 9, money(EUR="9.00"), {}, money(EUR="9.00"))


def test_a_first_delivery_all_filtered_out_loads_an_empty_month(mart_url: str, tmp_path: Path) -> None:
    write_bills(tmp_path / "bills" / "jan.csv", ESTIMATES[:4])
    run_month(mart_url, tmp_path / "landing", JAN, source(tmp_path / "bills"))

    assert audits(mart_url) == [("loaded", 4, 0, 0, 4, money(EUR="4.00"), {}, money(EUR="4.00"), None)]
    assert fact_total(mart_url, "cloud", JAN) == {}


def test_the_share_of_rejects_is_of_the_rows_the_filters_keep(mart_url: str, tmp_path: Path) -> None:
    bill = write_bills(tmp_path / "bills" / "jan.csv", CLEAN)
    assert run(mart_url, tmp_path, source(tmp_path / "bills")) == []

    # 30 filtered rows are no rejects: 10 kept, none rejected, the month is replaced
    write_bills(bill, CLEAN + ESTIMATES)
    assert run(mart_url, tmp_path, source(tmp_path / "bills")) == []
    assert audits(mart_url)[-1][:5] == ("loaded", 40, 10, 0, 30)

    # 2 rejected of the 10 kept is 20%, over the 10% allowed (of the 40 read it would be 5%)
    write_bills(bill, [("pay", "billed", "n/a", "1.00", "EUR")] * 2 + CLEAN[2:] + ESTIMATES)
    (failure,) = run(mart_url, tmp_path, source(tmp_path / "bills"))
    assert failure.endswith(
        "2 of 10 rows kept by the filters rejected (20.0%, over max_rejected_share 10%); most often: "
        "\"hours: not a number: 'n/a'\" (2 rows); "
        "`finops materialize --accept-held` (run config accept_held) replaces it"
    ), failure
    assert audits(mart_url)[-1][:5] == ("held", 40, 8, 2, 30)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ("{}", "sources[0].filters: give keep or drop conditions"),
        ("{keep: {status: []}}", "sources[0].filters.keep.status: an empty list matches nothing"),
        (
            "{drop: {project: {regex: '(sandbox'}}}",
            "sources[0].filters.drop.project.regex: not a valid regular",
        ),
        ("{drop: {'': x}}", "sources[0].filters.drop: empty column name"),
        (
            "{keep_only: {status: billed}}",
            "Object contains unknown field `keep_only` - at `$.sources[0].filters`",
        ),
    ],
)
def test_bad_filters_name_the_source_and_key(tmp_path: Path, filters: str, message: str) -> None:
    path = tmp_path / "finops.yaml"
    mapping = "{month: {column: d}, application: {column: a}, product: {constant: p}, quantity: {column: q}, "
    path.write_text(
        "sources:\n  - {name: tool, kind: tabular, path: x, "
        f"mapping: {mapping}unit: GB, currency: EUR}}, filters: {filters}}}\n"
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value)


def test_filters_are_only_for_kind_tabular(tmp_path: Path) -> None:
    path = tmp_path / "finops.yaml"
    path.write_text(
        "sources:\n  - {name: aws, kind: focus, path: x, filters: {keep: {ChargeCategory: Usage}}}\n"
    )
    with pytest.raises(ConfigError, match=r"sources\[0\]\.filters: only for kind tabular"):
        load_config(path)


def test_a_finops_yaml_with_filters_loads(tmp_path: Path) -> None:
    path = tmp_path / "finops.yaml"
    path.write_text(
        "sources:\n"
        "  - name: cloud\n"
        "    kind: tabular\n"
        "    path: bills\n"
        "    mapping: {month: {column: month}, application: {column: project},\n"
        "              product: {column: service}, quantity: {column: hours}, cost: {column: cost},\n"
        "              currency: {column: currency}, unit: h}\n"
        "    filters:\n"
        "      keep: {status: [billed, adjusted]}\n"
        "      drop: {project: {regex: '^sandbox-'}}\n"
    )
    assert load_config(path).source("cloud").filters == msgspec.convert(FILTERS, RowFilters)


def test_filtered_records_neither_mix_units_nor_hide_unreadable_ones() -> None:
    """A product's lines in another unit that the filters drop do not reject its kept lines;
    a record that could not be read (here: its month outside the partitions) is rejected with
    its reason even where the filters would drop it."""
    raw = pl.DataFrame(
        {
            "_line": pl.Series([1, 2, 3], dtype=pl.UInt32),
            "month": ["2025-01", "2025-01", "2030-01"],
            "status": ["billed", "estimate", "estimate"],
            "sku": ["disk", "disk", "disk"],
            "measure": ["GB", "GB-Mo", "GB"],
            "qty": ["5", "2", "1"],
            READ_PROBLEM: [None, None, "month: outside partitions: 2030-01"],
            "_file": ["f.csv"] * 3,
            "_month": ["2025-01"] * 3,
        }
    )
    mapping = msgspec.convert(
        {
            "month": {"column": "month"},
            "application": {"constant": "shared"},
            "product": {"column": "sku"},
            "quantity": {"column": "qty"},
            "unit": {"column": "measure"},
            "currency": "EUR",
        },
        TabularMapping,
    )
    month = normalize_tabular(raw, mapping, msgspec.convert({"keep": {"status": "billed"}}, RowFilters))

    assert month.lines.select("_line", "_unit", "_quantity").rows() == [(1, "GB", Decimal(5))]
    assert month.rejects.select("_line", "reason").rows() == [(3, "month: outside partitions: 2030-01")]
    assert (month.rows_filtered, month.filtered_quantity) == (1, {"GB-Mo": Decimal(2)})
    assert month.source_quantity == {"GB": Decimal(6), "GB-Mo": Decimal(2)}
    assert month.rejected_quantity == {"GB": Decimal(1)}
