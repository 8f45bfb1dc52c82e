"""Mapping rules: applications and products of FOCUS lines, their precedence, and coverage."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import msgspec
import polars as pl
import pytest

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_assets.sources.focus.mapping import FocusOptions, focus_options
from finops_assets.sources.focus.normalize import normalize_focus
from finops_core.config import (
    ApplicationRule,
    ConfigError,
    PlatformConfig,
    ProductRule,
    SourceConfig,
    ValuePattern,
    validate,
)
from tests.pipeline import fact_total, query, run_month

MONTH = date(2025, 3, 1)
APPLICATION_RULES = [
    ApplicationRule(tag=["application", "app"]),
    ApplicationRule(column="SubAccountId", map={"111": "billing"}),
    ApplicationRule(column="BillingAccountId", map_file="accounts.csv"),
    ApplicationRule(
        column="ResourceId", prefix={"arn:aws:s3:::pay": "payments", "arn:aws:s3:::payroll": "payroll"}
    ),
    ApplicationRule(column="resourceid", regex="resourceGroups/rg-([a-z]+)/"),
    ApplicationRule(column="x_Project"),
]
PRODUCT_RULES = [
    ProductRule(
        match={"ProviderName": "AWS", "ServiceName": "Amazon Elastic Compute Cloud", "PricingUnit": "Hours"},
        product="compute-vm-hours",
        name="Virtual machine hours",
    ),
    ProductRule(
        match={"ServiceCategory": "Storage", "SkuId": ValuePattern(regex="^EBS:")}, product="block-storage"
    ),
    ProductRule(match={"servicecategory": ["Storage", "Databases"]}, product="data-services"),
]


def bill_line(cost: str, **columns: str) -> dict[str, str]:
    return {
        "BillingPeriodStart": "2025-03-01T00:00:00Z",
        "BillingCurrency": "EUR",
        "ChargeCategory": "Usage",
        "ProviderName": "AWS",
        "ServiceName": "Amazon Elastic Compute Cloud",
        "ServiceCategory": "Compute",
        "PricingQuantity": "1",
        "PricingUnit": "Hours",
        "EffectiveCost": cost,
    } | columns


def write_bill(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


# One line per rule, in rule order, each also carrying what a later rule would match, then a
# line that only the last rule can map, then one no rule maps.
PRECEDENCE_LINES = [
    bill_line("1", Tags=json.dumps({"application": "search", "app": "other"}), SubAccountId="111"),
    bill_line("2", Tags=json.dumps({"app": "checkout"}), SubAccountId="111"),
    bill_line("3", Tags=json.dumps({"application": " "}), SubAccountId="111", BillingAccountId="BA-9"),
    bill_line("4", SubAccountId="222", BillingAccountId="BA-9", ResourceId="arn:aws:s3:::payments-logs"),
    bill_line("5", ResourceId="arn:aws:s3:::payroll-data"),
    bill_line("6", ResourceId="arn:aws:s3:::payments-logs", x_Project="analytics"),
    bill_line("7", ResourceId="/subscriptions/x/resourceGroups/rg-crm/providers/vm1", x_Project="analytics"),
    bill_line("8", x_Project="analytics"),
    bill_line("9", SubAccountId="333", ResourceId="i-0abc", x_Project=""),
]
EXPECTED_APPLICATIONS = [
    ("search", 1), ("checkout", 1), ("billing", 2), ("platform", 3), ("payroll", 4),
    ("payments", 4), ("crm", 5), ("analytics", 6), ("unallocated", None),
]  # fmt: skip


def rules_config(tmp_path: Path, **overrides: object) -> tuple[SourceConfig, PlatformConfig]:
    (tmp_path / "accounts.csv").write_text("value,application\nBA-9,platform\nBA-7,legacy\n")
    source = SourceConfig(
        name="cloud",
        kind="focus",
        path=str(tmp_path / "bills"),
        application_rules=APPLICATION_RULES,
        product_rules=PRODUCT_RULES,
    )
    source = msgspec.structs.replace(source, **overrides)
    config = PlatformConfig(start_month="2020-01", sources=[source], base_dir=tmp_path)
    return source, validate(config)


def test_application_rules_apply_in_order_first_match_wins(tmp_path: Path) -> None:
    source, config = rules_config(tmp_path)
    write_bill(tmp_path / "bill.csv", PRECEDENCE_LINES)
    raw = (
        pl.read_csv(tmp_path / "bill.csv", infer_schema=False)
        .with_row_index("_line")
        .with_columns(pl.lit("bill.csv").alias("_file"), pl.lit("2025-03").alias("_month"))
    )
    lines, rejects = normalize_focus(raw, focus_options(source, config))
    assert rejects.height == 0
    assert (
        list(zip(lines["application_code"], lines["application_rule"], strict=True)) == EXPECTED_APPLICATIONS
    )


def test_application_tag_is_a_first_tag_rule(tmp_path: Path) -> None:
    options = FocusOptions(application_tag="team", application_rules=[ApplicationRule(column="x_Project")])
    raw = pl.DataFrame(
        {
            "Tags": ['{"team": "ledger"}', '{"app": "x"}'],
            "x_Project": ["analytics", "analytics"],
            "BillingPeriodStart": ["2025-03-01T00:00:00Z"] * 2,
            "BillingCurrency": ["EUR"] * 2,
            "PricingQuantity": ["1", "1"],
            "EffectiveCost": ["1", "1"],
            "_file": ["f", "f"],
            "_line": [0, 1],
            "_month": ["2025-03", "2025-03"],
        }
    )
    lines, _ = normalize_focus(raw, options)
    assert lines["application_code"].to_list() == ["ledger", "analytics"]
    assert lines["application_rule"].to_list() == [1, 2]


def test_mapped_and_unallocated_cost_reconcile_to_the_month_total(mart_url: str, tmp_path: Path) -> None:
    source, _ = rules_config(tmp_path)
    write_bill(tmp_path / "bills" / "march.csv", PRECEDENCE_LINES)
    run_month(mart_url, tmp_path / "landing", MONTH, source, base_dir=tmp_path)

    by_application = query(
        mart_url,
        "SELECT application_code, sum(source_cost) FROM finops.fact_consumption GROUP BY 1 ORDER BY 1",
    )
    assert by_application == [
        ("analytics", Decimal("8")), ("billing", Decimal("3")), ("checkout", Decimal("2")),
        ("crm", Decimal("7")), ("payments", Decimal("6")), ("payroll", Decimal("5")),
        ("platform", Decimal("4")), ("search", Decimal("1")), ("unallocated", Decimal("9")),
    ]  # fmt: skip
    assert fact_total(mart_url, "cloud", MONTH) == {"EUR": Decimal("45")}  # 1 + 2 + ... + 9


def test_product_rules_map_lines_to_catalog_products_and_leave_the_rest_auto(
    mart_url: str, tmp_path: Path
) -> None:
    source, _ = rules_config(tmp_path)
    storage = {
        "ServiceName": "Amazon Elastic Block Store",
        "ServiceCategory": "Storage",
        "PricingUnit": "GB-Mo",
    }
    write_bill(
        tmp_path / "bills" / "march.csv",
        [
            bill_line("10.50", PricingQuantity="7"),  # rule 1
            bill_line("0.25", PricingUnit="Hrs"),  # rule 1 wants Hours exactly: auto
            bill_line("4.00", SkuId="EBS:VolumeUsage.gp3", **storage),  # rules 2 and 3 match: 2 wins
            bill_line("3.00", SkuId="S3:TimedStorage", **storage),  # rule 3
            bill_line("2.00", ServiceName="Amazon RDS", ServiceCategory="Databases"),  # rule 3
            bill_line(
                "1.10", ServiceName="Amazon VPC", ServiceCategory="Networking", PricingUnit="GB"
            ),  # auto
            bill_line("0.70", ChargeCategory="Tax", ServiceCategory="Storage"),  # monetary, never a rule
        ],
    )
    run_month(mart_url, tmp_path / "landing", MONTH, source, base_dir=tmp_path)

    facts = query(
        mart_url,
        "SELECT product_code, unit, sum(quantity), sum(source_cost) FROM finops.fact_consumption"
        " GROUP BY 1, 2 ORDER BY 1, 2",
    )
    assert facts == [
        ("aws:amazon-elastic-compute-cloud:hrs", "Hrs", Decimal("1"), Decimal("0.25")),
        ("aws:amazon-vpc:gb", "GB", Decimal("1"), Decimal("1.10")),
        ("aws:tax:eur", "EUR", Decimal("0.70"), Decimal("0.70")),
        ("block-storage", "GB-Mo", Decimal("1"), Decimal("4.00")),
        ("compute-vm-hours", "Hours", Decimal("7"), Decimal("10.50")),
        ("data-services", "GB-Mo", Decimal("1"), Decimal("3.00")),
        ("data-services", "Hours", Decimal("1"), Decimal("2.00")),
    ]
    assert fact_total(mart_url, "cloud", MONTH) == {"EUR": Decimal("21.55")}
    # rule products the catalog does not declare yet are registered for review, under the rule's name
    products = query(
        mart_url,
        "SELECT product_code, name, is_auto FROM finops.dim_product WHERE product_code IN"
        " ('compute-vm-hours', 'block-storage') ORDER BY 1",
    )
    assert products == [
        ("block-storage", "block-storage", True),
        ("compute-vm-hours", "Virtual machine hours", True),
    ]


@pytest.mark.parametrize(("threshold", "passed"), [(0.75, True), (0.8, True), (0.85, False)])
def test_mapping_coverage_warns_under_the_threshold(
    mart_url: str, tmp_path: Path, threshold: float, passed: bool
) -> None:
    _, config = rules_config(tmp_path, coverage_threshold=threshold)
    write_bill(tmp_path / "bills" / "march.csv", PRECEDENCE_LINES)  # 36 of 45 mapped: 0.8
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    result = materialize_month(config, MONTH, mart)

    assert result.success  # a warning does not fail the run
    coverage = next(e for e in result.get_asset_check_evaluations() if e.check_name == "mapping_coverage")
    assert coverage.passed is passed
    assert coverage.severity.value == "WARN"
    table = coverage.metadata["coverage"].value
    assert "| EUR | 36 | 0 | 9 | 8 | 0 | 1 | 0.8 |" in str(table)  # no allocation rule spreads the 9


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (ApplicationRule(tag="app", column="x_Project"), "give either tag (keys tried in order) or column"),
        (ApplicationRule(), "give either tag (keys tried in order) or column"),
        (
            ApplicationRule(tag="app", map={"a": "b"}),
            "application_rules[0].map: only a column rule takes map",
        ),
        (ApplicationRule(column="ResourceId", regex="rg-[a-z]+"), "regex: the pattern needs a capture group"),
        (ApplicationRule(column="ResourceId", regex="rg-([a-z]+"), "regex: not a valid regular expression"),
        (
            ApplicationRule(column="SubAccountId", map={"1": "a"}, prefix={"2": "b"}),
            "give at most one of map, map_file, prefix, regex (got map, prefix)",
        ),
    ],
)
def test_invalid_application_rules_are_refused_naming_the_rule(
    tmp_path: Path, rule: ApplicationRule, message: str
) -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\]\.application_rules\[0\]") as error:
        rules_config(tmp_path, application_rules=[rule])
    assert message in str(error.value)


def test_invalid_product_rules_and_unknown_columns_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"product_rules\[0\]\.match\.SkuId\.regex: not a valid"):
        rules_config(
            tmp_path, product_rules=[ProductRule(match={"SkuId": ValuePattern(regex="(")}, product="p")]
        )
    with pytest.raises(ConfigError, match=r"product_rules\[0\]\.match: give at least one column"):
        rules_config(tmp_path, product_rules=[ProductRule(match={}, product="p")])
    source, config = rules_config(
        tmp_path, product_rules=[ProductRule(match={"Servicename": "S"}, product="p")]
    )
    assert focus_options(source, config).product_rules[0].match == {"ServiceName": "S"}  # FOCUS spelling
    source, config = rules_config(tmp_path, product_rules=[ProductRule(match={"Service": "S"}, product="p")])
    with pytest.raises(ConfigError, match="'Service' is not a FOCUS column"):
        focus_options(source, config)


def test_a_mapping_file_with_another_header_or_missing_is_refused(tmp_path: Path) -> None:
    source, config = rules_config(tmp_path)
    (tmp_path / "accounts.csv").write_text("account,app\nBA-9,platform\n")
    with pytest.raises(ConfigError, match=r"application_rules\[2\]\.map_file: .*expected the header"):
        focus_options(source, config)
    (tmp_path / "accounts.csv").unlink()
    with pytest.raises(ConfigError, match=r"map_file: .*accounts.csv: no such file"):
        focus_options(source, config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("value,application\n", "accounts.csv: a header and no rows"),
        (
            'value,application\n"BA\n9",platform\nBA-8,core,x\n',
            "accounts.csv: line 4: 3 fields, the header has 2",
        ),
        ("value,application\nBA-9,platform\n\nBA-9,core\n", "accounts.csv: values mapped twice: BA-9"),
    ],
)
def test_a_mapping_file_is_read_as_the_referential_tables_are(
    tmp_path: Path, text: str, message: str
) -> None:
    """declared_rows: the line a record starts on, a header alone refused, blank lines skipped."""
    source, config = rules_config(tmp_path)
    (tmp_path / "accounts.csv").write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        focus_options(source, config)
    (tmp_path / "accounts.csv").write_text("value,application\n\nBA-9,platform\nBA-8, \n")
    assert focus_options(source, config).map_tables == {str(tmp_path / "accounts.csv"): {"BA-9": "platform"}}
