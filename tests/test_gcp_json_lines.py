"""A Google Cloud billing export saved as JSON lines (tests/data/samples/derived/gcp, derived from
the CSV samples) loads the same lines and the same totals as the CSV export it was derived from
and as the same records saved as Parquet: credits applied (net by default, gross on request),
`invoice.month` as the billing month, labels as tags."""

from __future__ import annotations

import gzip
import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_assets.sources.detect import detect, header
from finops_assets.sources.files import SourceFilesError
from finops_assets.sources.gcp_billing.convert import GcpBilling
from finops_cli.report import run_report
from finops_core.config import PlatformConfig
from tests.conftest import SAMPLES
from tests.pipeline import audit_costs, fact_total, latest_audit, query, run_month, source_kind

DERIVED = SAMPLES / "derived"
CREDITS = "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11"
FACTS = (
    "SELECT application_code, product_code, sub_account_id, region_id, currency, unit, quantity,"
    " source_cost, line_count FROM finops.fact_consumption WHERE source = %s AND month = %s"
    " ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"
)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive", DERIVED / "derive_gcp_json_lines.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_json_lines_samples_are_what_the_script_derives() -> None:
    script = _script()
    for name in script.SOURCES:
        assert script.derived_path(name).read_text(encoding="utf-8") == script.json_lines(
            SAMPLES / "gcp" / name
        )
        assert detect(header(script.derived_path(name))) == "gcp-billing"


# (file, month, rows, net total, gross total, {application: (lines, gross cost)}): SOURCES.md's
# figures for the CSV samples; the applications are the lines' `goog-resource-type` labels
CASES = [
    (CREDITS, date(2020, 11, 1), 25, "0", "0.000032",
     {"bigquery_dataset": (4, "0"), "bigquery_project": (1, "0"), "bigquery_resource": (5, "0"),
      "unallocated": (15, "0.000032")}),
    ("2022-08-01_5", date(2022, 8, 1), 9, "0.000012", "0.000012", {"unallocated": (9, "0.000012")}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "month", "rows", "net", "gross", "applications"), CASES, ids=[c[0][:10] for c in CASES]
)
def test_json_lines_load_as_the_csv_and_parquet_exports(
    mart_url: str,
    tmp_path: Path,
    name: str,
    month: date,
    rows: int,
    net: str,
    gross: str,
    applications: dict[str, tuple[int, str]],
) -> None:
    json_lines = DERIVED / "gcp" / f"{name}.json"
    parquet = tmp_path / f"{name}.parquet"
    pl.read_ndjson(json_lines, infer_schema_length=None).write_parquet(parquet)  # nested, as BigQuery's
    options = {"application_tag": "goog-resource-type"}
    forms = {"csv": SAMPLES / "gcp" / f"{name}.csv", "json": json_lines, "parquet": parquet}
    run_month(
        mart_url,
        tmp_path / "landing",
        month,
        *(source_kind(form, "gcp-billing", path, **options) for form, path in forms.items()),
        source_kind("auto", "auto", json_lines, **options),
        source_kind("gross", "gcp-billing", json_lines, cost_column="gross", **options),
    )

    for form in (*forms, "auto"):
        assert latest_audit(mart_url, form, month) == (rows, rows, 0), form
        assert fact_total(mart_url, form, month) == {"USD": Decimal(net)}, form
        assert audit_costs(mart_url, form, month) == ({"USD": Decimal(net)}, {}), form
    assert fact_total(mart_url, "gross", month) == {"USD": Decimal(gross)}
    by_application = query(
        mart_url,
        "SELECT application_code, sum(line_count), sum(source_cost) FROM finops.fact_consumption"
        " WHERE source = 'gross' AND month = %s GROUP BY 1 ORDER BY 1",
        month,
    )
    assert by_application == [(a, n, Decimal(cost)) for a, (n, cost) in applications.items()]
    lines = query(mart_url, FACTS, "csv", month)
    for form in ("json", "parquet", "auto"):
        assert query(mart_url, FACTS, form, month) == lines, form


def test_gzipped_json_lines_read_as_the_plain_file(tmp_path: Path) -> None:
    plain = DERIVED / "gcp" / f"{CREDITS}.json"
    gzipped = tmp_path / f"{CREDITS}.json.gz"
    gzipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert detect(header(gzipped)) == "gcp-billing"
    assert GcpBilling().read(gzipped).equals(GcpBilling().read(plain))


@pytest.mark.parametrize("name", ["export.jsonl", "export.jsonl.gz"])
def test_a_line_that_is_not_json_is_named(tmp_path: Path, name: str) -> None:
    export = tmp_path / name
    first, second, *_ = (DERIVED / "gcp" / f"{CREDITS}.json").read_text(encoding="utf-8").splitlines()
    text = f"{first}\n{second[:40]}\n".encode()  # cut short in the account id, which opens at column 23
    export.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    with pytest.raises(SourceFilesError) as error:
        GcpBilling().read(export)
    assert str(error.value) == f"{export}: line 2, column 23: not JSON: Unterminated string starting at"


@pytest.mark.parametrize(
    ("content", "problem"),
    [("not json\n", "line 1, column 1: not JSON: Expecting value"), ("", "no JSON record")],
    ids=["first line", "empty"],
)
def test_an_export_unreadable_from_its_first_line_fails_its_month_in_one_line(
    mart_url: str, tmp_path: Path, content: str, problem: str
) -> None:
    """Before, the kind's detection read the first record and let json's own error through: no
    file named, no audit row. Now it is the reader's error for any other line."""
    exports = tmp_path / "exports"
    exports.mkdir()
    export = exports / "export.jsonl"
    export.write_bytes((DERIVED / "gcp" / "2022-08-01_5.json").read_bytes())
    month = date(2022, 8, 1)
    config = PlatformConfig(
        start_month="2022-08",
        end_month="2022-08",
        sources=[source_kind("gcp", "gcp-billing", exports, application_tag="goog-resource-type")],
    )
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    assert run_report(materialize_month(config, month, mart, raise_on_error=False)).failures == []
    export.write_text(content, encoding="utf-8")

    failures = run_report(materialize_month(config, month, mart, raise_on_error=False)).failures

    assert failures == [
        "step gcp__billing_lines failed: DeliveryFailed: gcp 2022-08 failed, "
        f"the loaded month is unchanged: {export}: {problem}"
    ]
    assert fact_total(mart_url, "gcp", month) == {"USD": Decimal("0.000012")}
    statuses = query(mart_url, "SELECT status, reason FROM finops.load_audit ORDER BY load_id")
    assert statuses == [("loaded", None), ("failed", f"{export}: {problem}")]
