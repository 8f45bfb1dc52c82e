"""Google Cloud billing exports with missing or malformed parts: a file without a `credits`
column loads at its gross cost, an empty or header-only file loads nothing, and a row whose
`credits` or `labels` cell cannot be read is rejected naming that column, its gross cost
counted as rejected, so that the file's total is the landed cost plus the rejected cost."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finops_assets.sources.gcp_billing.convert import credits_total, labels_object
from tests.pipeline import audit_costs, fact_total, latest_audit, query, run_month, source_kind

MONTH = date(2022, 8, 1)
HEADER = ["billing_account_id", "service.description", "cost", "currency", "usage.amount", "usage.unit",
          "invoice.month", "cost_type"]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    return text.getvalue().encode()


def _line(cost: str, *extra: str) -> list[str]:
    return ["A-1", "Compute Engine", cost, "USD", "1", "hour", "202208", "regular", *extra]


CREDITS = [
    ("1", '[{"name": "x", "amount": "-0.5"}]'),  # quoted: net 0.5
    ("2", "[{'name': 'y', 'amount': '-0.25'}, {'name': 'z', 'amount': -0.125}]"),  # net 1.625
    ("4", "[{'name': 'x', 'amount': 1.2.3}]"),
    ("8", '[{"name": "x", "amount": 1-2}]'),
    ("16", "[{'name': 'x', 'amount': -0,5}]"),
    ("32", "garbage"),
    ("64", '[{"name": "x", "amount": "1.2.3"}]'),
    ("128", '[{"name": "x"}]'),
    ("256", "[{'name': 'x', 'amount': None}]"),
    ("0.5", '[{"amount": -0.0000000000000000001}]'),
]
CREDITS_REASONS = [  # (record number, reason)
    (3, "credits: not a JSON or Python list: '[{'name': 'x', 'amount': 1.2.3}]'"),
    (4, """credits: not a JSON or Python list: '[{"name": "x", "amount": 1-2}]'"""),
    (5, "credits: not a JSON or Python list: '[{'name': 'x', 'amount': -0,5}]'"),
    (6, "credits: not a JSON or Python list: 'garbage'"),
    (7, "credits: amount not a number: '1.2.3'"),
    (8, """credits: not a list of credits, each with an amount: '[{"name": "x"}]'"""),
    (9, "credits: amount missing"),
    (10, "credits: amount with more than 18 decimal places: '-1E-19'"),
]
LABELS = [  # (cost, project.labels, labels)
    ("1", "[{'key': 'app', 'value': 'crm'}]", '[{"key": "env", "value": "prod"}]'),
    ("2", "", '[{"key": "a"}]'),
    ("4", "", "garbage["),
    ("8", "", '["a", "b"]'),
    ("16", "", "__import__('os')"),
    ("32", "[{'key': 'app', 'value': 'erp'}]", "{bad"),
    ("64", '[{"key": 1}]', "[]"),
]
LABELS_REASONS = [  # (record number, column, reason)
    (2, "labels", """labels: not a list of labels, each with a key and a value: '[{"key": "a"}]'"""),
    (3, "labels", "labels: not a JSON or Python list: 'garbage['"),
    (4, "labels", """labels: not a list of labels, each with a key and a value: '["a", "b"]'"""),
    (5, "labels", "labels: not a JSON or Python list: '__import__('os')'"),
    (6, "labels", "labels: not a JSON or Python list: '{bad'"),
    (
        7,
        "project.labels",
        """project.labels: not a list of labels, each with a key and a value: '[{"key": 1}]'""",
    ),
]
_JSON_LINE = {
    "billing_account_id": "A-1",
    "service": {"description": "Compute Engine"},
    "currency": "USD",
    "usage": {"amount": 1.0, "unit": "hour"},
    "invoice": {"month": "202208"},
    "cost_type": "regular",
}
JSON_LINES = [  # no line's labels have a value: polars types them as records of a key alone
    {**_JSON_LINE, "cost": 1.5, "credits": [{"amount": -0.5}], "labels": []},
    {**_JSON_LINE, "cost": 2.0, "credits": [], "labels": [{"key": "a"}]},
]
JSON_LINES_REASON = """labels: not a list of labels, each with a key and a value: '[{"key":"a"}]'"""


def _files(folder: Path) -> dict[str, Path]:
    """Each source's file, written by hand."""
    files = {
        "no_credits_csv": _csv(HEADER, [_line("1.5"), _line("0.25")]),
        "header_only": _csv([*HEADER, "credits"], []),
        "header_blank_lines": _csv([*HEADER, "credits"], []) + b"\n\n",
        "empty_csv": b"",
        "credits": _csv([*HEADER, "credits"], [_line(cost, cell) for cost, cell in CREDITS]),
        "labels": _csv([*HEADER, "project.labels", "labels"], [_line(*row) for row in LABELS]),
        "json_lines": "".join(json.dumps(line) + "\n" for line in JSON_LINES).encode(),
    }
    paths = {}
    for name, content in files.items():
        suffix = ".json" if name == "json_lines" else ".csv"
        (folder / name).mkdir()
        paths[name] = folder / name / f"export{suffix}"
        paths[name].write_bytes(content)
    paths["no_credits_parquet"] = folder / "no_credits_parquet" / "export.parquet"
    paths["no_credits_parquet"].parent.mkdir()
    pl.DataFrame(
        {
            "billing_account_id": ["A-1", "A-1"],
            "service": [{"description": "Compute Engine"}] * 2,
            "cost": [1.5, 0.25],
            "currency": ["USD", "USD"],
            "usage": [{"amount": 1.0, "unit": "hour"}] * 2,
            "invoice": [{"month": "202208"}] * 2,
            "cost_type": ["regular", "regular"],
        }
    ).write_parquet(paths["no_credits_parquet"])
    return paths


# (source, (read, loaded, rejected), landed total, the file's total, its rejected total): the
# file's total is the landed one plus the rejected one, rows rejected for their credits counted
# at their gross cost
CASES: list[tuple[str, tuple[int, int, int], dict[str, str], dict[str, str], dict[str, str]]] = [
    ("no_credits_csv", (2, 2, 0), {"USD": "1.75"}, {"USD": "1.75"}, {}),
    ("no_credits_parquet", (2, 2, 0), {"USD": "1.75"}, {"USD": "1.75"}, {}),
    ("header_only", (0, 0, 0), {}, {}, {}),
    ("header_blank_lines", (0, 0, 0), {}, {}, {}),
    ("empty_csv", (0, 0, 0), {}, {}, {}),
    # 0.5 + 1.625 landed; 4 + 8 + 16 + 32 + 64 + 128 + 256 + 0.5 rejected
    ("credits", (10, 2, 8), {"USD": "2.125"}, {"USD": "510.625"}, {"USD": "508.5"}),
    ("labels", (7, 1, 6), {"USD": "1"}, {"USD": "127"}, {"USD": "126"}),  # 1; 2 + 4 + ... + 64
    ("json_lines", (2, 1, 1), {"USD": "1"}, {"USD": "3"}, {"USD": "2"}),  # 1.5 - 0.5; 2
]


def _decimals(totals: dict[str, str]) -> dict[str, Decimal]:
    return {currency: Decimal(total) for currency, total in totals.items()}


def test_malformed_exports_load_what_they_can_and_reject_the_rest(mart_url: str, tmp_path: Path) -> None:
    files = _files(tmp_path)
    sources = [
        source_kind(name, "gcp-billing", path.parent, application_tag="app") for name, path in files.items()
    ]
    run_month(mart_url, tmp_path / "landing", MONTH, *sources)

    for name, rows, landed, file_total, rejected in CASES:
        assert latest_audit(mart_url, name, MONTH) == rows, name
        assert fact_total(mart_url, name, MONTH) == _decimals(landed), name
        assert audit_costs(mart_url, name, MONTH) == (_decimals(file_total), _decimals(rejected)), name
    reasons = query(
        mart_url,
        "SELECT source, line_number, column_name, reason FROM finops.rejected_row ORDER BY 1, 2",
    )
    assert reasons == [
        *(("credits", line, "credits", reason) for line, reason in CREDITS_REASONS),
        ("json_lines", 2, "labels", JSON_LINES_REASON),
        *(("labels", line, column, reason) for line, column, reason in LABELS_REASONS),
    ]
    # the one readable row's project label `app` is its application
    applications = query(
        mart_url,
        "SELECT application_code, source_cost FROM finops.fact_consumption WHERE source = 'labels'",
    )
    assert applications == [("crm", Decimal("1"))]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, (Decimal(0), None)),
        ("[]", (Decimal(0), None)),
        # 38 digits, exact: a float, or Decimal's default 28-digit context, would round them
        ("[{'amount': 12345678901234567890.123456789012345678}, {'amount': -0.000000000000000001}]",
         (Decimal("12345678901234567890.123456789012345677"), None)),
        ('[{"amount": " -1.5E-3 "}]', (Decimal("-0.0015"), None)),
        ("[{'amount': -5e-06}]", (Decimal("-0.000005"), None)),
        ('[{"amount": "\u0663"}]', (None, "credits: amount not a number: '\u0663'")),  # an Arabic-Indic 3
        ('[{"amount": "NaN"}]', (None, "credits: amount not a number: 'NaN'")),
        ('[{"amount": NaN}]', (None, """credits: not a JSON or Python list: '[{"amount": NaN}]'""")),
        ('[{"amount": true}]', (None, "credits: amount not a number: True")),
        ("[{'amount': 100000000000000000000}]",
         (None, "credits: amount over 20 integer digits: '100000000000000000000'")),
        ("[{'amount': 99999999999999999999}, {'amount': 1}]",
         (None, "credits: credits over 20 integer digits in total: '100000000000000000000'")),
        ("{'amount': -1}", (None, "credits: not a list of credits, each with an amount: '{'amount': -1}'")),
    ],
)  # fmt: skip
def test_a_credits_cell_is_read_exactly_or_said_why_not(
    cell: str | None, expected: tuple[Decimal | None, str | None]
) -> None:
    assert credits_total("credits", cell) == expected


def test_labels_merge_later_cells_over_earlier_ones_and_leave_out_labels_without_a_value() -> None:
    cells = [
        ("project.labels", "[{'key': 'app', 'value': 'crm'}, {'key': 'team', 'value': 'a'}]"),
        ("labels", '[{"key": "app", "value": "erp"}, {"key": "env", "value": null}]'),
    ]
    assert labels_object(cells) == ('{"app": "erp", "team": "a"}', None)
