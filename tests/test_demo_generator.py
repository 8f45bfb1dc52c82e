"""The demo FOCUS generator: exact money, determinism, FOCUS row rules, file round trips."""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finops_assets.demo.generator.catalogue import application_names
from finops_assets.demo.generator.focus import COLUMNS, MONEY_COLUMNS
from finops_assets.demo.generator.month import generate_month
from finops_assets.demo.generator.services import product_catalogue
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.demo.generator.writer import write_dataset
from finops_assets.demo.workspace import write_workspace

MONTH = date(2025, 2, 1)
SPEC = DemoSpec(months=(MONTH, date(2025, 3, 1)), rows_per_month=5_000, applications=12, products=20)
DECIMAL = pl.Decimal(38, 10)
PLAIN_DECIMAL = re.compile(r"^-?\d+\.\d{10}$")


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return generate_month(SPEC, MONTH)


def _usage(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("ChargeCategory") == "Usage")


def test_same_spec_and_month_give_identical_data_and_another_seed_differs(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    again = generate_month(DemoSpec(**{**SPEC.__dict__}), MONTH)
    assert again.equals(frame)
    assert frame.write_csv() == again.write_csv()
    first = write_dataset(SPEC, tmp_path / "a")
    second = write_dataset(SPEC, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    other_seed = generate_month(DemoSpec(**{**SPEC.__dict__, "seed": 7}), MONTH)
    assert not other_seed.equals(frame)
    other_month = generate_month(SPEC, date(2025, 3, 1))
    assert other_month["EffectiveCost"].to_list() != frame["EffectiveCost"].to_list()


@pytest.mark.parametrize("rows", [0, 1, 99, 100, 5_000])
def test_row_count_is_exact(rows: int) -> None:
    spec = DemoSpec(months=(MONTH,), rows_per_month=rows, applications=5, products=8)
    result = generate_month(spec, MONTH)
    assert result.height == rows
    assert tuple(result.columns) == COLUMNS


def test_schema_money_and_quantities_are_decimal(frame: pl.DataFrame) -> None:
    for column in (*MONEY_COLUMNS, "PricingQuantity", "ConsumedQuantity"):
        assert frame.schema[column] == DECIMAL, column
    for column in set(COLUMNS) - {*MONEY_COLUMNS, "PricingQuantity", "ConsumedQuantity"}:
        assert frame.schema[column] == pl.String, column
    for column in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost"):
        assert frame[column].null_count() == 0, column


def test_periods_lie_in_the_month(frame: pl.DataFrame) -> None:
    assert frame["BillingPeriodStart"].unique().to_list() == ["2025-02-01T00:00:00Z"]
    assert frame["BillingPeriodEnd"].unique().to_list() == ["2025-03-01T00:00:00Z"]
    starts = frame["ChargePeriodStart"].str.to_datetime("%Y-%m-%dT%H:%M:%SZ")
    ends = frame["ChargePeriodEnd"].str.to_datetime("%Y-%m-%dT%H:%M:%SZ")
    assert starts.dt.strftime("%Y-%m").unique().to_list() == ["2025-02"]
    assert ends.max() is not None and str(ends.max()) == "2025-03-01 00:00:00"
    days = (ends - starts).dt.total_days()
    usage = (frame["ChargeCategory"] != "Purchase").to_list()
    assert {d for d, u in zip(days.to_list(), usage, strict=True) if u} == {1}  # daily charges
    assert frame["ChargePeriodStart"].str.contains(r"^\d{4}-\d\d-\d\dT00:00:00Z$").all()


def test_charge_category_shares_and_null_rules(frame: pl.DataFrame) -> None:
    counts = dict(frame["ChargeCategory"].value_counts().iter_rows())
    assert counts["Tax"] == 100 and counts["Credit"] == 50  # 2% and 1% of 5,000
    assert 1 <= counts["Purchase"] <= 6
    assert frame["ChargeClass"].null_count() == frame.height

    tax = frame.filter(pl.col("ChargeCategory") == "Tax")
    for column in ("PricingQuantity", "PricingUnit", "ListUnitPrice", "ContractedUnitPrice", "SkuId",
                   "SkuPriceId", "PricingCategory", "ConsumedQuantity", "ResourceId", "Tags"):  # fmt: skip
        assert tax[column].null_count() == tax.height, column
    assert (tax["BilledCost"] >= 0).all() and tax["BilledCost"].sum() > 0

    credit = frame.filter(pl.col("ChargeCategory") == "Credit")
    assert credit["PricingQuantity"].null_count() == credit.height
    assert (credit["BilledCost"] < 0).all()
    for column in ("EffectiveCost", "ListCost", "ContractedCost"):
        assert credit[column].equals(credit["BilledCost"], check_names=False)

    usage = _usage(frame)
    for column in ("PricingQuantity", "PricingUnit", "ListUnitPrice", "ContractedUnitPrice", "SkuId",
                   "SkuPriceId", "ConsumedQuantity", "ConsumedUnit", "ResourceId", "RegionId"):  # fmt: skip
        assert usage[column].null_count() == 0, column
    refunds = usage.filter(pl.col("PricingQuantity") < 0)
    assert refunds.height > 0
    assert (refunds["ConsumedQuantity"] < 0).all() and (refunds["ListCost"] < 0).all()
    assert refunds["ChargeDescription"].str.starts_with("Refund: ").all()


def test_usage_cost_ordering(frame: pl.DataFrame) -> None:
    usage = _usage(frame).filter(pl.col("PricingQuantity") > 0)
    assert (usage["EffectiveCost"] >= 0).all()
    assert (usage["EffectiveCost"] <= usage["ContractedCost"]).all()
    assert (usage["ContractedCost"] <= usage["ListCost"]).all()
    assert (usage["BilledCost"] <= usage["ListCost"]).all()
    committed = usage["PricingCategory"] == "Committed"
    assert committed.any() and (usage.filter(committed)["BilledCost"] == 0).all()
    standard = usage.filter(pl.col("PricingCategory") != "Committed")
    assert standard["BilledCost"].equals(standard["EffectiveCost"], check_names=False)
    assert set(usage["PricingCategory"].unique()) == {"Standard", "Dynamic", "Committed"}


def test_commitments_reconcile(frame: pl.DataFrame) -> None:
    """Per commitment: EffectiveCost of covered usage == BilledCost of its purchase (FOCUS)."""
    is_usage = pl.col("ChargeCategory") == "Usage"  # else Purchase, the only other category with an id
    sums = (
        frame.filter(pl.col("CommitmentDiscountId").is_not_null())
        .group_by("CommitmentDiscountId")
        .agg(
            pl.col("EffectiveCost").filter(is_usage).sum().alias("used"),
            pl.col("BilledCost").filter(~is_usage).sum().alias("bought"),
            pl.col("EffectiveCost").filter(~is_usage).sum().alias("purchase_eff"),
        )
    )
    assert sums.height >= 3
    assert (sums["used"] == sums["bought"]).all() and (sums["used"] > 0).all()
    assert (sums["purchase_eff"] == 0).all()


def test_every_amount_is_exact_with_at_most_ten_decimals(frame: pl.DataFrame, tmp_path: Path) -> None:
    (path,) = write_dataset(DemoSpec(months=(MONTH,), rows_per_month=2_000), tmp_path, "csv")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for column in (*MONEY_COLUMNS, "PricingQuantity", "ConsumedQuantity"):
        for row in rows:
            if row[column]:
                assert PLAIN_DECIMAL.match(row[column]), (column, row[column])
    priced = [r for r in rows if r["ChargeCategory"] in ("Usage", "Purchase")]
    assert priced
    for row in priced:  # cost = unit price x quantity, exactly, in independent decimal arithmetic
        quantity = Decimal(row["PricingQuantity"])
        assert Decimal(row["ListUnitPrice"]) * quantity == Decimal(row["ListCost"])
        assert Decimal(row["ContractedUnitPrice"]) * quantity == Decimal(row["ContractedCost"])
    for row in rows:
        if row["ChargeCategory"] == "Usage":
            expected = Decimal(row["ListCost"]) - Decimal(row["EffectiveCost"])
            assert Decimal(row["x_Discounts"]) == expected
    # and in the frame: the polars product agrees, values never need more than 10 places
    usage = _usage(frame)
    assert (usage["ListUnitPrice"] * usage["PricingQuantity"] == usage["ListCost"]).all()


def test_tags_applications_and_untagged_share(frame: pl.DataFrame) -> None:
    usage = _usage(frame)
    tags = usage["Tags"].drop_nulls().to_list()
    parsed = [json.loads(text) for text in tags]
    assert all(isinstance(p, dict) and all(isinstance(v, str) for v in p.values()) for p in parsed)
    apps = {p["application"] for p in parsed if "application" in p}
    assert apps <= set(application_names(SPEC.applications)) and len(apps) == SPEC.applications
    untagged = usage.height - sum("application" in p for p in parsed)
    assert 0.03 < untagged / usage.height < 0.07
    assert usage["Tags"].null_count() > 0  # both kinds of untagged: null and no application key
    assert any("application" not in p for p in parsed)
    for provider_field in ("ProviderName", "BillingCurrency"):
        assert frame[provider_field].n_unique() >= 2
    assert set(frame["ProviderName"].unique()) == {"AWS", "Microsoft", "Google Cloud", "Oracle"}
    eur = frame.filter(pl.col("BillingCurrency") == "EUR")["BillingAccountId"].unique()
    assert eur.len() == 1 and frame["BillingAccountId"].n_unique() == 6


def test_names_and_catalogue() -> None:
    names = application_names(400)
    assert len(set(names)) == 400
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names)
    products = product_catalogue(60)
    combos = {(p.provider, p.name, p.unit) for p in products}
    assert len(combos) == 60
    categories: dict[str, set[str]] = defaultdict(set)
    for p in products:
        categories[f"{p.provider}:{p.name}"].add(p.category)
    assert all(len(c) == 1 for c in categories.values())  # a service maps to one ServiceCategory


def test_products_used_match_the_spec(frame: pl.DataFrame) -> None:
    combos = _usage(frame).select("ProviderName", "ServiceName", "PricingUnit").unique()
    assert combos.height == SPEC.products


def test_parquet_and_csv_round_trips_keep_the_totals(frame: pl.DataFrame, tmp_path: Path) -> None:
    expected = sum((Decimal(v) for v in frame["EffectiveCost"].cast(pl.String).to_list()), Decimal(0))
    assert frame["EffectiveCost"].sum() == expected

    parquet = write_dataset(SPEC, tmp_path / "p", "parquet")
    csv_files = write_dataset(SPEC, tmp_path / "c", "csv")
    assert [p.name for p in parquet] == ["focus_2025-02.parquet", "focus_2025-03.parquet"]
    assert [p.name for p in csv_files] == ["focus_2025-02.csv", "focus_2025-03.csv"]

    from_parquet = pl.read_parquet(parquet[0])
    assert from_parquet.schema["EffectiveCost"] == DECIMAL
    assert from_parquet.equals(frame)

    text = pl.read_csv(csv_files[0], infer_schema=False)
    assert text.height == frame.height
    total = sum((Decimal(v) for v in text["EffectiveCost"].to_list()), Decimal(0))
    assert total == expected
    assert text["Tags"].null_count() == frame["Tags"].null_count()


def test_demo_months() -> None:
    months = demo_months(12, until=date(2025, 3, 17))
    assert months[0] == date(2024, 4, 1) and months[-1] == date(2025, 3, 1)
    assert len(months) == 12
    assert all(m.day == 1 for m in months)
    for a, b in itertools.pairwise(months):
        assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
    default = demo_months()
    today = date.today()
    assert len(default) == 12 and default[-1] < today.replace(day=1)
    assert (today.year * 12 + today.month) - (default[-1].year * 12 + default[-1].month) == 1


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="first day"):
        DemoSpec(months=(date(2025, 3, 2),))
    with pytest.raises(ValueError, match="untagged_share"):
        DemoSpec(months=(MONTH,), untagged_share=1.5)
    with pytest.raises(ValueError, match="first day"):
        generate_month(SPEC, date(2025, 3, 15))


def test_the_demo_workspace_written_again_leaves_its_files_as_they_were(tmp_path: Path) -> None:
    # `make demo` started again rewrote every file: the new-delivery sensor ran every month again
    write_workspace(tmp_path / "demo", 2, 200)
    files = sorted(p for p in (tmp_path / "demo").rglob("*") if p.is_file())
    stamps = [(p, p.stat().st_mtime_ns) for p in files]
    assert len(files) > 8
    for path in files:
        os.utime(path, ns=(1, 1))  # no clock granularity can hide a rewrite
    write_workspace(tmp_path / "demo", 2, 200)
    assert [(p, p.stat().st_mtime_ns) for p in files] == [(p, 1) for p, _ in stamps]
    config = write_workspace(tmp_path / "demo", 3, 200).config_path  # another demo: written
    assert config in files and config.stat().st_mtime_ns != 1
