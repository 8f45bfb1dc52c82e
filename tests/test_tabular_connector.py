"""The tabular connector's pieces: transforms, months, reading, normalisation, the mapping's
validation, the asset graph and the quantity conservation check."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import msgspec
import polars as pl
import psycopg
import pytest
from dagster import Definitions

from finops_assets.graph import build_definitions
from finops_assets.landing import LandingSlice
from finops_assets.mart.checks import quantity_conservation
from finops_assets.sources.files import UnplaceableFileError
from finops_assets.sources.tabular.ingest import TabularOptions, ingest_tabular_month
from finops_assets.sources.tabular.normalize import normalize_tabular, tabular_facts
from finops_assets.sources.tabular.reader import month_of, read_tabular_file
from finops_assets.sources.tabular.transforms import field_text
from finops_core.config import ConfigError, PlatformConfig, SourceConfig, load_config
from finops_core.tabular import FieldSpec, MonthSpec, TabularMapping, file_name_month
from tests.pipeline import run_config_month

D = Decimal


def spec(**fields: object) -> FieldSpec:
    return msgspec.convert(fields, FieldSpec)


def values(frame: pl.DataFrame, field: FieldSpec) -> list[str | None]:
    return frame.with_columns(field_text(frame, field).alias("_value"))["_value"].to_list()


def test_transforms_apply_in_order() -> None:
    frame = pl.DataFrame(
        {"project": [" PRJ-Pay-prod ", "prj-search-dev", "sandbox", None, "", "prj-crm-prod"]}
    )
    application = spec(
        column="project",
        transforms=[
            {"lower": True},
            {"regex": r"^prj-(.+)-(?:prod|dev)$"},
            {"rename": {"pay": "payments", "search": "search-engine"}},
        ],
    )
    # regex without a match gives null; rename keeps what it does not list
    assert values(frame, application) == ["payments", "search-engine", None, None, None, "crm"]

    with_default = spec(
        column="project", transforms=[{"regex": "^(sandbox)$"}, {"default": "shared"}, {"upper": True}]
    )
    assert values(frame, with_default) == ["SHARED", "SHARED", "SANDBOX", "SHARED", "SHARED", "SHARED"]
    assert values(frame, spec(constant=1)) == ["1"] * 6
    assert values(frame, spec(column="absent")) == [None] * 6


def test_months_from_values_and_file_names() -> None:
    assert [
        month_of(v)
        for v in (
            "2026-10", "2026-10-15", "2026-10-31 22:00:00", "2026-10-31T22:00:00Z",
            "2026-10-31T23:30:00-02:00", "2026-11-01T00:30:00+01:00", "2026-13", "n/a", "", None,
            date(2026, 2, 28), datetime(2026, 3, 31, 23, 0, tzinfo=timezone(timedelta(hours=-3))),
            datetime(2026, 4, 1, 0, 30, tzinfo=UTC),
        )
    ] == [
        "2026-10", "2026-10", "2026-10", "2026-10", "2026-11", "2026-10", None, None, None, None,
        "2026-02", "2026-04", "2026-04",
    ]  # fmt: skip
    # numbers, as a Parquet or JSON lines file types them: YYYYMM, Excel days
    assert [month_of(v) for v in (202610, D("202611"), 46204, 46204.5, 2026, True)] == [
        "2026-10", "2026-11", "2026-07", "2026-07", None, None,
    ]  # fmt: skip
    pattern = r"ingestion-(\d{4}-?\d{2})"
    assert file_name_month(pattern, "ingestion-2026-10.jsonl") == "2026-10"
    assert file_name_month(pattern, "ingestion-202609.jsonl") == "2026-09"
    assert file_name_month(pattern, "ingestion-2026-13.jsonl") is None
    assert file_name_month(pattern, "latest.jsonl") is None


def test_json_lines_keep_numbers_as_written(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    path.write_text(
        '\ufeff{"team": "a", "gb": 0.1, "n": 3, "ok": true, "tags": {"env": "prod"}}\n'
        "\n"
        '{"team": null, "gb": 1E-3, "extra": "x"}\n'
    )
    frame = read_tabular_file(path)
    assert frame.to_dicts() == [
        {
            "_line": 1,
            "team": "a",
            "gb": "0.1",
            "n": "3",
            "ok": "true",
            "tags": '{"env": "prod"}',
            "extra": None,
        },
        {"_line": 3, "team": None, "gb": "1E-3", "n": None, "ok": None, "tags": None, "extra": "x"},
    ]
    # the same lines gzipped, as the provider kinds read them too
    zipped = tmp_path / "usage.ndjson.gz"
    zipped.write_bytes(gzip.compress(path.read_bytes()))
    assert read_tabular_file(zipped).to_dicts() == frame.to_dicts()
    # a line that is not a JSON object is kept whole, to be rejected with its text
    (tmp_path / "bad.jsonl").write_text('{"team": "a", "gb": "1"}\n{"team": \n[1, 2]\n')
    bad = read_tabular_file(tmp_path / "bad.jsonl")
    assert bad.rows() == [(1, "a", "1", None), (2, None, None, '{"team": '), (3, None, None, "[1, 2]")]
    mapping = TabularMapping(
        month=MonthSpec(from_file_name="(2026-10)"),
        application=spec(column="team"),
        product=spec(constant="p"),
        quantity=spec(column="gb"),
        currency="EUR",
        unit="GB",
    )
    month = normalize_tabular(
        bad.with_columns(pl.lit("bad.jsonl").alias("_file"), pl.lit("2026-10").alias("_month")), mapping
    )
    assert month.lines["_quantity"].to_list() == [D("1")]
    assert month.rejects.select("_line", "column", "reason").rows() == [
        (2, "_unreadable", "_unreadable: not a JSON object: '{\"team\": '"),
        (3, "_unreadable", "_unreadable: not a JSON object: '[1, 2]'"),
    ]


MAPPING = TabularMapping(
    month=MonthSpec(column="day"),
    application=spec(column="team", transforms=[{"default": "shared"}]),
    product=spec(column="sku"),
    quantity=spec(column="qty"),
    cost=spec(column="amount"),
    currency=spec(column="ccy"),
    unit="GB",
    sub_account=spec(column="account"),
)


def test_normalisation_rejects_with_reasons_and_keeps_totals_exact() -> None:
    raw = pl.DataFrame(
        {
            "day": [
                "2026-10-01",
                "2026-10-02",
                "2026-10-03",
                "bad",
                "2026-10-05",
                "2026-10-06",
                "2026-10-07",
            ],
            "team": ["a", None, "a", "a", "a", "a", "b"],
            "sku": ["s1", "s1", None, "s1", "s1", "s1", "s2"],
            "qty": ["1.5", "2", "3", "4", "1E+21", "5", "0.000000000000000001"],
            "amount": ["0.10", "0.20", "0.30", "0.40", "1", "x", "-0.05"],
            "ccy": ["eur", "EUR", "EUR", "EUR", "EUR", "EUR", "USD"],
            "account": ["acc-1", None, None, None, None, None, "acc-2"],
            "reason": ["r1", "r2", "r3", "r4", "r5", "r6", "r7"],  # an export's own column
        }
    ).with_columns(
        pl.int_range(1, 8, dtype=pl.UInt32).alias("_line"),
        pl.lit("f.csv").alias("_file"),
        pl.lit("2026-10").alias("_month"),
    )
    month = normalize_tabular(raw, MAPPING)

    assert month.rejects.select("_line", "column", "reason").rows() == [
        (3, "sku", "sku: missing"),
        (4, "day", "day: not a date: 'bad'"),
        (5, "qty", "qty: over 20 integer digits: '1E+21'"),
        (6, "amount", "amount: not a number: 'x'"),
    ]
    assert set(month.rejects.columns) == {*raw.columns, "reason_", "column"}
    assert month.rejects["reason_"].to_list() == ["r3", "r4", "r5", "r6"]
    facts, products = tabular_facts(month.lines, "tool")
    assert facts.select(
        "application_code",
        "product_code",
        "sub_account_id",
        "currency",
        "quantity",
        "source_cost",
        "line_count",
    ).rows() == [
        ("a", "s1", "acc-1", "EUR", D("1.5"), D("0.10"), 1),
        ("b", "s2", "acc-2", "USD", D("0.000000000000000001"), D("-0.05"), 1),
        ("shared", "s1", "", "EUR", D("2"), D("0.20"), 1),
    ]
    assert products.rows() == [
        ("s1", "s1", "tool", "tool", "GB", False),
        ("s2", "s2", "tool", "tool", "GB", False),
    ]
    # the files' totals count every row with a number, rejected or not, exactly
    assert month.source_cost == {"EUR": D("2.00"), "USD": D("-0.05")}
    assert month.rejected_cost == {"EUR": D("1.70")}
    # every digit: Decimal's default context gave 1000000000000000000015.500000 (28 digits)
    assert month.source_quantity == {"GB": D("1000000000000000000015.500000000000000001")}
    assert month.rejected_quantity == {"GB": D("1E+21") + D("12")}


def vcpu_mapping(month_column: str) -> TabularMapping:
    """An inventory of VMs: `vm`'s vCPUs (`vcpus`) in the month of `month_column`."""
    return TabularMapping(
        month=MonthSpec(column=month_column),
        application=spec(column="vm"),
        product=spec(constant="vcpu"),
        quantity=spec(column="vcpus"),
        currency="EUR",
        unit="vCPU-month",
    )


def test_typed_parquet_months_in_utc_and_exact_decimals(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    paris = "Europe/Paris"
    pl.DataFrame(
        {
            "taken_at": pl.Series(
                [datetime(2026, 10, 31, 12), datetime(2026, 11, 1, 0, 30), datetime(2026, 11, 2)],
            ).dt.replace_time_zone(paris),  # local times in Paris
            "vm": ["a", "b", "c"],
            "vcpus": pl.Series([D("2.5"), D("4"), D("1")], dtype=pl.Decimal(10, 2)),
        }
    ).write_parquet(inventory / "vms.parquet")
    options = TabularOptions(vcpu_mapping("taken_at"))
    totals = {}
    for month in (date(2026, 10, 1), date(2026, 11, 1)):
        slice_ = LandingSlice(tmp_path / "landing", "vms", month)
        summary = ingest_tabular_month(inventory, options, slice_)
        facts = pl.read_parquet(slice_.facts)
        totals[month.month] = (summary.rows_read, facts.select("application_code", "quantity").rows())
        assert json.loads(slice_.manifest.read_text())["lines_layout"] == "source_files"
    # 2026-11-01 00:30 in Paris is 2026-10-31 23:30 UTC: an October row
    assert totals == {10: (2, [("a", D("2.5")), ("b", D("4"))]), 11: (1, [("c", D("1"))])}


def test_a_parquet_month_column_of_numbers_places_its_rows(tmp_path: Path) -> None:
    """A billing month exported as an integer YYYYMM (BigQuery's invoice.month as INT64) was
    read as no month at all: every row unplaceable, the file refused."""
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    rows = {"period": [202610, 202610, 202611], "vm": ["a", "b", "c"], "vcpus": [2, 4, 1]}
    pl.DataFrame(rows).write_parquet(inventory / "vms.parquet")
    placed = {}
    for month in (date(2026, 10, 1), date(2026, 11, 1)):
        slice_ = LandingSlice(tmp_path / "landing", "vms", month)
        summary = ingest_tabular_month(inventory, TabularOptions(vcpu_mapping("period")), slice_)
        placed[month.month] = (summary.rows_read, pl.read_parquet(slice_.facts)["application_code"].to_list())
    assert placed == {10: (2, ["a", "b"]), 11: (1, ["c"])}


def test_a_file_name_without_month_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "usage").mkdir()
    (tmp_path / "usage" / "usage-latest.jsonl").write_text('{"team": "a", "gb": 1}\n')
    mapping = TabularMapping(
        month=MonthSpec(from_file_name=r"usage-(\d{4}-\d{2})"),
        application=spec(column="team"),
        product=spec(constant="gb"),
        quantity=spec(column="gb"),
        currency="EUR",
        unit="GB",
    )
    slice_ = LandingSlice(tmp_path / "landing", "usage", date(2026, 10, 1))
    with pytest.raises(UnplaceableFileError, match=r"usage-latest\.jsonl: its name has no month"):
        ingest_tabular_month(tmp_path / "usage", TabularOptions(mapping), slice_)


TABULAR = "  - {name: tool, kind: tabular, path: x, mapping: {%s}}\n"
BASE = (
    "month: {column: d}, application: {column: a}, product: {constant: p}, quantity: {column: q},"
    " unit: GB, currency: EUR"
)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("  - {name: tool, kind: tabular, path: x}\n", "sources[1].mapping: required for kind tabular"),
        (
            TABULAR % BASE.replace("{column: q}", "{column: q, constant: 1}"),
            "sources[1].mapping.quantity: needs exactly one of column, constant",
        ),
        (
            TABULAR % BASE.replace("{column: q}", "{constant: four}"),
            "sources[1].mapping.quantity.constant: not a number: 'four'",
        ),
        (
            TABULAR % BASE.replace("{column: d}", "{column: d, from_file_name: '(.*)'}"),
            "sources[1].mapping.month: needs exactly one of column, from_file_name",
        ),
        (
            TABULAR % BASE.replace("{column: d}", "{from_file_name: '(\\d{4})-(\\d{2})'}"),
            "sources[1].mapping.month.from_file_name: needs exactly one group (...), has 2",
        ),
        (
            TABULAR % BASE.replace("{column: a}", "{column: a, transforms: [{regex: 'prj-.*'}]}"),
            "sources[1].mapping.application.transforms[0].regex: needs exactly one group (...), has 0",
        ),
        (
            TABULAR % BASE.replace("{column: a}", "{column: a, transforms: [{regex: '(', lower: true}]}"),
            "sources[1].mapping.application.transforms[0]: needs exactly one of rename, regex, lower",
        ),
        (
            TABULAR % BASE.replace("{column: a}", "{column: a, transforms: [{regex: '(a'}]}"),
            "sources[1].mapping.application.transforms[0].regex: not a valid regular expression",
        ),
        (  # valid in Python, refused by polars, which runs the transforms: a look-ahead
            TABULAR % BASE.replace("{column: a}", "{column: a, transforms: [{regex: '^(.+)(?=-prod)'}]}"),
            "sources[1].mapping.application.transforms[0].regex: not a valid regular expression: "
            "regex error: regex parse error",
        ),
        (  # and a back-reference
            TABULAR % BASE.replace("{column: a}", "{column: a, transforms: [{regex: '^(a)\\1$'}]}"),
            "sources[1].mapping.application.transforms[0].regex: not a valid regular expression",
        ),
        (TABULAR % BASE.replace("EUR", "euro"), "sources[1].mapping.currency: expected an ISO 4217 code"),
        (
            TABULAR % (BASE + ", colour: red"),
            "Object contains unknown field `colour` - at `$.sources[1].mapping`",
        ),
        (TABULAR % BASE.replace("product: {constant: p}, ", ""), "missing required field `product`"),
        (
            TABULAR.replace("path: x,", "path: x, application_tag: app,") % BASE,
            "sources[1].application_tag: only for kind focus",
        ),
        ("  - {name: tool, kind: focus, path: x, format: csv}\n", "sources[1].format: only for kind tabular"),
        (
            "  - {name: tool, kind: tabular, path: x, format: xlsx}\n",
            "Invalid enum value 'xlsx' - at `$.sources[1].format`",
        ),
    ],
)
def test_bad_mapping_names_the_field(tmp_path: Path, source: str, message: str) -> None:
    path = tmp_path / "finops.yaml"
    path.write_text("sources:\n  - {name: aws, kind: focus, path: bills}\n" + source)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value)


def test_tabular_sources_get_the_same_assets_and_a_quantity_check() -> None:
    mapping = msgspec.convert(
        {"month": {"column": "d"}, "application": {"column": "a"}, "product": {"constant": "p"},
         "quantity": {"column": "q"}, "unit": "GB", "currency": "EUR"},
        TabularMapping,
    )  # fmt: skip
    config = PlatformConfig(
        start_month="2026-01",
        sources=[
            SourceConfig(name="aws", kind="focus", path="a"),
            SourceConfig(name="tool", kind="tabular", path="b", mapping=mapping),
        ],
    )
    defs: Definitions = build_definitions(config)
    graph = defs.resolve_asset_graph()
    checks = sorted(f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys)
    assert checks == [
        "aws/billing_lines:no_delivery",
        "aws/consumption:conservation",
        "aws/consumption:mapping_coverage",
        "aws/consumption:nothing_lost",
        "aws/consumption:rejected_share",
        "mart/allocation:allocation_conservation",
        "mart/valuation:actual_equals_consumption",
        "mart/valuation:price_coverage",
        "tool/billing_lines:no_delivery",
        "tool/consumption:conservation",
        "tool/consumption:mapping_coverage",
        "tool/consumption:nothing_lost",
        "tool/consumption:quantity_conservation",
        "tool/consumption:rejected_share",
    ]
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} >= {
        "tool/billing_lines",
        "tool/consumption",
    }


def test_quantity_conservation_fails_when_the_mart_lost_quantity(mart_url: str, tmp_path: Path) -> None:
    (tmp_path / "usage").mkdir()
    (tmp_path / "usage" / "usage-2026-10.jsonl").write_text(
        '{"team": "a", "gb": 1.25}\n{"team": "b", "gb": 2}\n{"team": "c", "gb": "two"}\n'
    )
    config_path = tmp_path / "finops.yaml"
    config_path.write_text(
        "start_month: '2026-01'\nsources:\n"
        "  - name: usage\n    kind: tabular\n    path: usage\n    mapping:\n"
        "      month: {from_file_name: 'usage-(\\d{4}-\\d{2})'}\n"
        "      application: {column: team}\n      product: {constant: storage-gb}\n"
        "      quantity: {column: gb}\n      unit: GB\n      currency: EUR\n"
    )
    run_config_month(mart_url, tmp_path / "landing", date(2026, 10, 1), load_config(config_path))
    slice_ = LandingSlice(tmp_path / "landing", "usage", date(2026, 10, 1))
    assert quantity_conservation(mart_url, slice_).passed

    # 0.01 GB of team a's facts go missing: the check sees it
    with psycopg.connect(mart_url) as conn:
        conn.execute(
            "UPDATE finops.fact_consumption SET quantity = quantity - 0.01 WHERE application_code = 'a'"
        )
    result = quantity_conservation(mart_url, slice_)
    assert not result.passed
    assert "| GB | 3.25 | 3.24" in str(result.metadata["totals"].value)
