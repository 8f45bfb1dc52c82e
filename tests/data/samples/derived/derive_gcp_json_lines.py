"""The Google Cloud billing samples (tests/data/samples/gcp/*.csv) as the BigQuery export saves
them as JSON lines: one object a line, nested records (`service{id,description}`,
`usage{amount,unit,...}`, `invoice{month}`), labels and credits as arrays of objects, FLOAT64
columns as JSON numbers, every other value as written in the CSV (an empty cell is null).

Run from the repository root: `python tests/data/samples/derived/derive_gcp_json_lines.py`.
tests/test_gcp_json_lines.py checks that the committed files are what this writes.
"""

from __future__ import annotations

import ast
import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1]
DERIVED = Path(__file__).resolve().parent / "gcp"
SOURCES = (
    "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv",
    "2022-08-01_5.csv",
)
FLOATS = frozenset({"cost", "currency_conversion_rate", "usage.amount", "usage.amount_in_pricing_units"})
RECORD_LISTS = frozenset({"labels", "system_labels", "project.labels", "credits"})


def _number(text: str) -> float:
    value = float(text)
    if Decimal(repr(value)) != Decimal(text):  # the JSON number must be the CSV's value, exactly
        raise ValueError(f"{text!r} is not a float's shortest form")
    return value


def _value(name: str, text: str) -> Any:
    if text == "":
        return None
    if name in FLOATS:
        return _number(text)
    if name in RECORD_LISTS:
        return ast.literal_eval(text)  # the CSV has them as Python literals; literals only
    return text


def record(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row as a nested export record: `a.b` becomes b inside a."""
    nested: dict[str, Any] = {}
    for name, text in row.items():
        *parents, leaf = name.split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = _value(name, text)
    return nested


def json_lines(source: Path) -> str:
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return "".join(json.dumps(record(row), separators=(",", ":")) + "\n" for row in rows)


def derived_path(name: str) -> Path:
    return DERIVED / name.replace(".csv", ".json")


def main() -> None:
    DERIVED.mkdir(exist_ok=True)
    for name in SOURCES:
        derived_path(name).write_text(json_lines(SAMPLES / "gcp" / name), encoding="utf-8")


if __name__ == "__main__":
    main()
