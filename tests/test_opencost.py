"""OpenCost answers and exports a person or a tool damaged (found by feeding the connector
mutated samples): an allocation that cannot be loaded is rejected once, whole, naming its field
and carrying its totalCost, so the source's total stays the file's own (landed + rejected); a
file that is no /allocation response is refused in one line naming it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finops_assets.landing import LandingSlice
from finops_assets.sources.files import UnreadableFileError
from finops_assets.sources.focus.ingest import ingest_focus_month
from finops_assets.sources.focus.mapping import focus_options
from finops_assets.sources.native.assets import reader_for, suffixes_of
from finops_assets.sources.native.reader import NativeFiles
from finops_assets.sources.opencost.convert import OpenCost
from finops_core.config import PlatformConfig
from tests.conftest import SAMPLES
from tests.pipeline import audit_costs, fact_total, latest_audit, query, run_month, source_kind

ALLOCATIONS = SAMPLES / "opencost" / "allocation-example-output.json"
EXPORT = SAMPLES / "opencost" / "export-sample.csv"
K8S = {"default_currency": "USD", "application_tag": "namespace"}
JULY = date(2023, 7, 1)
# the sample's allocations: kube-system 1.52743 (CPU, RAM and network lines), opencost 0.10937
# and prometheus 0.14136 (7 lines between them): 1.77816 in 10 lines
ALL, OTHERS = "1.77816", "0.25073"


def _sample() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ALLOCATIONS.read_text())
    return document


def _kube_system(change: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        change(document["data"][0]["kube-system"])

    return edit


# (source, the change, (read, loaded, rejected), (the file's total, landed, rejected), the reject's
# reason): kube-system rejected whole (3 lines: 1 reject), carrying its totalCost if a number
Change = Callable[[dict[str, Any]], None]
ALLOCATION_CASES: list[tuple[str, Change, tuple[int, int, int], tuple[str, str, str | None], str]] = [
    ("cpu_cost", _kube_system(lambda a: a.update(cpuCost="x")), (8, 7, 1), (ALL, OTHERS, "1.52743"),
     "cpuCost: not a number: 'x'"),
    ("cpu_hours", _kube_system(lambda a: a.update(cpuCoreHours="x")), (8, 7, 1), (ALL, OTHERS, "1.52743"),
     "cpuCoreHours: not a number: 'x'"),
    ("bad_start", _kube_system(lambda a: a.update(window={"start": "soon"}, start="soon")), (8, 7, 1),
     (ALL, OTHERS, "1.52743"), "windowStart: missing or not a date"),
    ("window_text", _kube_system(lambda a: a.update(window="2023-07-12")), (8, 7, 1),
     (ALL, OTHERS, "1.52743"), "window: not a JSON object"),
    ("properties_text", _kube_system(lambda a: a.update(properties="x")), (8, 7, 1),
     (ALL, OTHERS, "1.52743"), "properties: not a JSON object"),
    ("labels_list", _kube_system(lambda a: a["properties"].update(labels=["a"])), (8, 7, 1),
     (ALL, OTHERS, "1.52743"), "properties.labels: not a JSON object"),
    # no number to count: the reject carries no cost, the file's total is the others'
    ("total_missing", _kube_system(lambda a: a.pop("totalCost")), (8, 7, 1), (OTHERS, OTHERS, None),
     "totalCost: missing"),
    ("total_true", _kube_system(lambda a: a.update(totalCost=True)), (8, 7, 1), (OTHERS, OTHERS, None),
     "totalCost: not a number: 'true'"),
    # an allocation `x` that is a number: kube-system loads
    ("not_an_object", lambda d: d["data"][0].update(x=5), (11, 10, 1), (ALL, ALL, None),
     "allocation: not a JSON object"),
]  # fmt: skip


def test_a_bad_allocation_is_rejected_once_carrying_its_total_cost(mart_url: str, tmp_path: Path) -> None:
    sources = []
    for name, change, *_ in ALLOCATION_CASES:
        document = _sample()
        change(document)
        path = tmp_path / "bills" / name / "allocation.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(document))
        sources.append(source_kind(name, "opencost", path, **K8S))
    run_month(mart_url, tmp_path / "landing", JULY, *sources)

    for name, _, rows, (total, landed, rejected), reason in ALLOCATION_CASES:
        assert latest_audit(mart_url, name, JULY) == rows, name
        rejected_cost = {} if rejected is None else {"USD": Decimal(rejected)}
        assert audit_costs(mart_url, name, JULY) == ({"USD": Decimal(total)}, rejected_cost), name
        assert fact_total(mart_url, name, JULY) == {"USD": Decimal(landed)}, name
        rejects = "SELECT column_name, reason FROM finops.rejected_row WHERE source = %s"
        assert query(mart_url, rejects, name) == [(reason.split(":", 1)[0], reason)], name


def _export(tmp_path: Path, name: str, column: str, value: str) -> Path:
    """The export sample with its first row's `column` set to `value`."""
    rows = list(csv.reader(io.StringIO(EXPORT.read_text(), newline="")))
    rows[1][rows[0].index(column)] = value
    path = tmp_path / "bills" / name / "export.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def test_a_bad_export_row_is_rejected_once_carrying_its_total_cost(mart_url: str, tmp_path: Path) -> None:
    # each day of the sample costs 0.010493746736011505 (CPU 0.00838296, RAM 0.002110786736011505,
    # network 0 for its bytes): 3 lines; the first day is rejected whole
    january = date(2023, 1, 1)
    undated = _export(tmp_path, "undated", "Date", "soon")
    precise = _export(tmp_path, "precise", "TotalCost", "0.0104937467360115051")  # 19 places
    run_month(
        mart_url,
        tmp_path / "landing",
        january,
        source_kind("undated", "opencost", undated, **K8S),
        source_kind("precise", "opencost", precise, **K8S),
    )

    day = Decimal("0.010493746736011505")
    for name in ("undated", "precise"):
        assert latest_audit(mart_url, name, january) == (4, 3, 1), name
        assert fact_total(mart_url, name, january) == {"USD": day}, name
    assert audit_costs(mart_url, "undated", january) == (
        {"USD": Decimal("0.020987493472023010")},
        {"USD": day},
    )
    # a total no line could hold is counted as written, to its last place
    assert audit_costs(mart_url, "precise", january) == (
        {"USD": Decimal("0.0209874934720230101")},
        {"USD": Decimal("0.0104937467360115051")},
    )
    rejects = "SELECT source, column_name, reason FROM finops.rejected_row ORDER BY 1"
    assert query(mart_url, rejects) == [
        ("precise", "TotalCost", "TotalCost: more than 18 decimal places: '0.0104937467360115051'"),
        ("undated", "Date", "Date: missing or not a date"),
    ]


def _ingest(tmp_path: Path, path: Path) -> None:
    """The month as a run reads it: the kind's detection, then the connector."""
    source = source_kind("k8s", "opencost", path, **K8S)
    options = focus_options(source, PlatformConfig(start_month="2020-01", sources=[source]))
    slice_ = LandingSlice(tmp_path / "landing", "k8s", JULY)
    ingest_focus_month(path, options, slice_, reader_for=reader_for(source), suffixes=suffixes_of(source))


def test_a_file_that_is_not_one_allocation_response_is_refused_naming_it(tmp_path: Path) -> None:
    document = _sample()
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(json.dumps(document).replace("kube-system", "kube-syst\xe9m").encode("latin-1"))
    with pytest.raises(
        UnreadableFileError, match=r"latin1.json: line 1: not UTF-8 text \(invalid continuation"
    ):
        _ingest(tmp_path, latin1)
    # one allocation a line passes for JSON lines until its second line
    lines = tmp_path / "lines.json"
    lines.write_text("\n".join(json.dumps(a) for a in document["data"][0].values()))
    with pytest.raises(
        UnreadableFileError,
        match=r"lines.json: line 2, column 1: a second JSON document: an /allocation response is one"
        r" document, not one allocation a line$",
    ):
        _ingest(tmp_path, lines)
    lone = tmp_path / "lone.json"
    lone.write_text(json.dumps(document["data"][0]["kube-system"]))
    with pytest.raises(
        UnreadableFileError,
        match=r"lone.json: not an OpenCost /allocation response \(no `data` list of sets\)$",
    ):
        _ingest(tmp_path, lone)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            {"code": 200, "data": [[{"totalCost": 1}]]},
            r"data\[0\] is not an allocation set \(a JSON object\)",
        ),
        ({"code": 500, "message": "boom"}, r"an OpenCost error response \(code 500\): boom"),
        ([{"code": 200, "data": []}], r"not an OpenCost /allocation response \(not a JSON object\)"),
    ],
)
def test_a_response_of_another_shape_is_refused_by_the_connector(
    tmp_path: Path, content: object, problem: str
) -> None:
    # kind detection refuses these before a run: the connector does not rely on it
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(content))
    with pytest.raises(UnreadableFileError, match=rf"answer.json: {problem}$"):
        OpenCost().read(path)


@pytest.mark.parametrize("data", [[], [{}], None, [{}, None]], ids=str)
def test_a_response_without_allocations_is_an_empty_month_to_the_connector(
    tmp_path: Path, data: object
) -> None:
    # kind detection still refuses it (detect.py's `_json_header` finds no allocation's fields)
    path = tmp_path / "answer.json"
    path.write_text(json.dumps({"code": 200, "status": "success", "data": data}))
    assert NativeFiles(OpenCost(), "pricing").read(path).height == 0
