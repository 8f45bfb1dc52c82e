"""Savings Plans and reservations in a CUR, billed and amortized (AWS "Understanding your
amortized costs"): every line type, with figures added up by hand."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.pipeline import fact_total, latest_audit, query, run_month, source_kind

HEADER = [
    "bill/BillingPeriodStartDate", "lineItem/LineItemType", "lineItem/CurrencyCode", "lineItem/ProductCode",
    "lineItem/UsageAmount", "pricing/unit", "lineItem/UnblendedCost", "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/TotalCommitmentToDate", "savingsPlan/UsedCommitment", "reservation/EffectiveCost",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedRecurringFee",
    "reservation/ReservationARN", "resourceTags/user:team",
]  # fmt: skip
# (type, usage amount, unit, unblended, SP effective, SP commitment, SP used, RI effective,
#  RI unused upfront, RI unused recurring, RI ARN) -> amortized
LINES = [
    ("SavingsPlanCoveredUsage", "20", "Hrs", "10", "0.1", "", "", "", "", "", ""),  # 0.1
    ("SavingsPlanNegation", "20", "Hrs", "-10", "", "", "", "", "", "", ""),  # 0
    ("SavingsPlanRecurringFee", "1", "Hrs", "5", "", "5", "3.5", "", "", "", ""),  # 1.5 unused
    ("SavingsPlanUpfrontFee", "1", "", "100", "", "", "", "", "", "", ""),  # 0
    ("DiscountedUsage", "10", "Hrs", "0", "", "", "", "0.7", "", "", "arn:ri"),  # 0.7
    ("RIFee", "720", "Hrs", "20", "", "", "", "", "0.25", "0.5", "arn:ri"),  # 0.75 unused
    ("Fee", "1", "", "300", "", "", "", "", "", "", "arn:ri"),  # 0: the RI's upfront fee
    ("Fee", "1", "", "1", "", "", "", "", "", "", ""),  # 1: any other fee
    ("Usage", "4", "Hrs", "2", "", "", "", "", "", "", ""),  # 2
    ("Tax", "1", "", "0.3", "", "", "", "", "", "", ""),  # 0.3
]


def _write_cur(path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for line in LINES:
            writer.writerow(["2024-03-01T00:00:00.000Z", line[0], "USD", "AmazonEC2", *line[1:], "payments"])


def test_commitments_billed_and_amortized(mart_url: str, tmp_path: Path) -> None:
    cur = tmp_path / "cur.csv"
    _write_cur(cur)
    month = date(2024, 3, 1)
    run_month(
        mart_url,
        tmp_path / "landing",
        month,
        source_kind("billed", "aws-cur", cur, cost_column="unblended", application_tag="user:team"),
        source_kind("amortized", "aws-cur", cur, application_tag="user:team"),
    )

    # 10 - 10 + 5 + 100 + 0 + 20 + 300 + 1 + 2 + 0.3
    assert fact_total(mart_url, "billed", month) == {"USD": Decimal("428.3")}
    # 0.1 + 0 + 1.5 + 0 + 0.7 + 0.75 + 0 + 1 + 2 + 0.3
    assert fact_total(mart_url, "amortized", month) == {"USD": Decimal("6.35")}
    assert latest_audit(mart_url, "amortized", month) == (10, 10, 0)
    # the negation and the tax are amounts (unit USD, unit price 1), never a negative unit price
    monetary = query(
        mart_url,
        "SELECT product_code, unit, quantity, source_cost FROM finops.fact_consumption"
        " WHERE source = 'billed' AND unit = 'USD' ORDER BY 1",
    )
    assert monetary == [
        ("aws:credit:usd", "USD", Decimal("-10"), Decimal("-10")),
        ("aws:tax:usd", "USD", Decimal("0.3"), Decimal("0.3")),
    ]
    [(applications,)] = query(
        mart_url, "SELECT array_agg(DISTINCT application_code) FROM finops.fact_consumption"
    )
    assert applications == ["payments"]


def test_a_bad_cur_line_is_rejected_naming_the_cur_column(mart_url: str, tmp_path: Path) -> None:
    cur = tmp_path / "cur.csv"
    with cur.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(
            ["2024-03-01T00:00:00.000Z", "Usage", "USD", "AmazonEC2", "4", "Hrs", "abc", *[""] * 7, "x"]
        )
        writer.writerow(
            ["2024-03-01T00:00:00.000Z", "Usage", "", "AmazonEC2", "4", "Hrs", "2", *[""] * 7, "x"]
        )
        writer.writerow(
            ["2024-03-01T00:00:00.000Z", "Usage", "USD", "AmazonEC2", "4", "Hrs", "2", *[""] * 7, "x"]
        )
    month = date(2024, 3, 1)
    run_month(
        mart_url, tmp_path / "landing", month, source_kind("cur", "aws-cur", cur, cost_column="unblended")
    )

    assert latest_audit(mart_url, "cur", month) == (3, 1, 2)
    assert query(mart_url, "SELECT line_number, column_name, reason FROM finops.rejected_row ORDER BY 1") == [
        (1, "lineItem/UnblendedCost", "lineItem/UnblendedCost: not a number: 'abc'"),
        (2, "lineItem/CurrencyCode", "lineItem/CurrencyCode: missing"),
    ]
    assert fact_total(mart_url, "cur", month) == {"USD": Decimal("2")}
