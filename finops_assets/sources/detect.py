"""Which format a billing file is in, from its header alone: a source declared `kind: auto` is
read with the converter its files call for, and a file under a wrong kind (an AWS CUR declared
`kind: focus`) is refused in one line naming the kind it looks like, before anything is read."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from finops_assets.sources.azure_cost_details.convert import azure_key
from finops_assets.sources.files import SourceFilesError, open_text, reading
from finops_assets.sources.native.columns import clean_header
from finops_assets.sources.native.reader import first_bad_line, is_json
from finops_core.config import ConfigError

# Columns only that format writes (compared lower-case, bracketed names as in azure_key).
SIGNATURES: dict[str, frozenset[str]] = {
    "focus": frozenset(
        {"billingperiodstart", "chargeperiodstart", "billedcost", "effectivecost", "chargecategory",
         "servicename", "pricingquantity"}
    ),
    "aws-cur": frozenset(
        {"lineitem/unblendedcost", "lineitem/lineitemtype", "identity/lineitemid",
         "bill/billingperiodstartdate", "line_item_unblended_cost", "line_item_line_item_type",
         "identity_line_item_id", "bill_billing_period_start_date"}
    ),
    "azure-cost-details": frozenset(
        {"metercategory", "meterid", "costinbillingcurrency", "pretaxcost", "usagedatetime",
         "subscriptionguid", "consumedservice", "unitofmeasure", "billingperiodstartdate"}
    ),
    "gcp-billing": frozenset(
        {"invoice.month", "service.description", "sku.description", "usage.pricing_unit", "cost_type",
         "billing_account_id", "usage.amount_in_pricing_units"}
    ),
    "oci-cost-report": frozenset(
        {"cost/mycost", "lineitem/intervalusagestart", "usage/billedquantity", "cost/currencycode",
         "product/compartmentid"}
    ),
    "opencost": frozenset({"namespace", "totalcost", "cpucost", "ramcost", "cpucorehours", "rambytehours"}),
}  # fmt: skip
FORMAT_NAMES = {
    "focus": "a FOCUS file",
    "aws-cur": "an AWS Cost and Usage Report",
    "azure-cost-details": "an Azure cost details export",
    "gcp-billing": "a Google Cloud billing export",
    "oci-cost-report": "an Oracle Cloud cost report",
    "opencost": "an OpenCost allocation export",
}
_MINIMUM = 2  # matching columns for a format to be recognised
JSON_KINDS = ("opencost", "gcp-billing")
"""The kinds whose files can be JSON."""


def header(path: Path) -> list[str]:
    """The file's column names: a CSV's first record, a Parquet schema, the flattened fields
    (`invoice.month`) of the first record of JSON lines, or the fields of the first allocation
    of an OpenCost JSON response."""
    with reading(path):  # a damaged file (not gzip, truncated) is named, not a trace
        if path.name.lower().endswith(".parquet"):
            return list(pl.read_parquet_schema(path))
        if is_json(path):
            return _json_header(path)
        with open_text(path, errors="replace") as text:
            first = text.readline()
    return next(csv.reader([first]), [])


def _json_header(path: Path) -> list[str]:
    with open_text(path, errors="replace") as text:
        first = text.readline()
        while first and not first.strip():  # blank lines before the first record
            first = text.readline()
        try:
            record = json.loads(first)
        except ValueError:
            record = None  # a document over several lines
        if isinstance(record, dict) and "data" not in record:  # one billing record a line
            return list(_flat_names(record))
        text.seek(0)
        try:
            document = json.load(text)
        except json.JSONDecodeError as error:
            if record is None and first.strip():  # a document over several lines: where it breaks
                where = f"line {error.lineno}, column {error.colno}: not JSON: {error.msg}"
                raise SourceFilesError(f"{path}: {where}") from None
            # records a line, one of them broken: the reader's error names it
            raise SourceFilesError(f"{path}: {first_bad_line(path) or 'no JSON record'}") from None
    data = document.get("data") if isinstance(document, dict) else None
    sets = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
    for allocation_set in sets:
        for allocation in (allocation_set or {}).values() if isinstance(allocation_set, dict) else []:
            if isinstance(allocation, dict) and "totalCost" in allocation:
                return list(allocation)
    if isinstance(document, dict) and "data" in document and isinstance(data, list | None) and not any(sets):
        # an /allocation answer for a window with no allocation ([], [{}], null: Go's empty
        # sets): an empty month, not another format (/cloudCost's `data` is an object)
        return ["totalCost", "cpuCost", "ramCost"]
    return []  # not an /allocation response (e.g. /cloudCost)


def _flat_names(record: dict[str, object], prefix: str = "") -> Iterator[str]:
    for key, value in record.items():
        if isinstance(value, dict) and value:
            yield from _flat_names(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def _matches(columns: Iterable[str], kind: str) -> list[str]:
    return [c for c in columns if azure_key(clean_header(c)) in SIGNATURES[kind]]


def detect(columns: list[str]) -> str | None:
    """The format whose own columns the header has most of (at least two), else None."""
    scores = {kind: len(_matches(columns, kind)) for kind in SIGNATURES}
    kind = max(scores, key=lambda k: scores[k])
    return kind if scores[kind] >= _MINIMUM else None


def _looks_like(columns: list[str], kind: str) -> str:
    shown = ", ".join(_matches(columns, kind)[:3])
    return f"it looks like {FORMAT_NAMES[kind]} (kind: {kind}): its header has {shown}"


def resolve_kind(files: list[Path], declared: str) -> str:
    """The kind the files are read as: `declared`, or for auto the one format they are all
    in. A ConfigError, in one line, for a file that looks like another kind than declared, an
    auto file of no known format, or an auto source whose files are of several formats."""
    found: dict[Path, tuple[list[str], str | None]] = {}
    for path in files:
        columns = header(path)
        found[path] = (columns, detect(columns))
    unread = [p for p, (_, k) in found.items() if is_json(p) and k not in JSON_KINDS]
    if unread:
        raise ConfigError(
            f"{unread[0]}: neither an OpenCost /allocation response nor a Google Cloud billing export"
            " in JSON lines, the only JSON read (cloud costs come from the providers' own exports)"
        )
    if declared != "auto":
        wrong = [(p, c, k) for p, (c, k) in found.items() if k is not None and k != declared]
        if wrong:
            path, columns, kind = wrong[0]
            more = f" ({len(wrong) - 1} more files like it)" if len(wrong) > 1 else ""
            raise ConfigError(
                f"{path}: declared kind: {declared}, but {_looks_like(columns, kind)}{more}; "
                f"set kind: {kind} (or kind: auto)"
            )
        return declared
    unknown = [(p, c) for p, (c, k) in found.items() if k is None]
    if unknown:
        path, columns = unknown[0]
        known = ", ".join(SIGNATURES)
        raise ConfigError(
            f"{path}: kind auto: not a format recognised ({known}); its header starts with "
            f"{', '.join(columns[:4]) or 'nothing'}"
        )
    by_kind: dict[str, list[str]] = {}
    for path, (_, detected) in found.items():
        by_kind.setdefault(str(detected), []).append(path.name)
    if len(by_kind) > 1:
        listed = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in sorted(by_kind.items()))
        raise ConfigError(
            f"kind auto: the files are of several formats, declare one source per format: {listed}"
        )
    return next(iter(by_kind), "focus")
