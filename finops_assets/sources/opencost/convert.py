"""OpenCost allocations to FOCUS lines: each allocation (a namespace, controller or pod over a
window) becomes one line per resource it was charged for, each with its own quantity and unit
(CPU core-hours, RAM byte-hours, GPU-hours, PV byte-hours, network bytes), so Kubernetes
costs join the mart as products like any cloud's. Load balancer, shared and external costs
are amounts (monetary lines); whatever the resource costs do not add up to of the
allocation's total cost is one more amount line, so the lines always sum to the total.

An allocation that cannot be loaded is rejected whole, once, carrying its total cost as
written: the source's total is then the file's own totals, landed or rejected.

The allocation's namespace, cluster, controller and pod are tags beside its labels, so
`application_tag: namespace` (or a label's key) maps the lines to applications. OpenCost has
no currency column: the source's `default_currency` applies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from finops_assets.sources.decimals import DECIMAL, SCALE
from finops_assets.sources.files import UnreadableFileError, csv_problem, open_binary, reading
from finops_assets.sources.native.columns import Columns, tags_object
from finops_assets.sources.native.reader import is_json, read_table

# (component, the allocation API's quantity field, unit, cost fields), then the CSV export's
ALLOCATION_COMPONENTS = (
    ("cpu", "cpuCoreHours", "core-hours", ("cpuCost", "cpuCostAdjustment")),
    ("gpu", "gpuHours", "GPU-hours", ("gpuCost", "gpuCostAdjustment")),
    ("ram", "ramByteHours", "byte-hours", ("ramCost", "ramCostAdjustment")),
    ("pv", "pvByteHours", "byte-hours", ("pvCost", "pvCostAdjustment")),
    ("network", "networkTransferBytes", "bytes", ("networkCost", "networkCostAdjustment")),
    ("load-balancer", None, None, ("loadBalancerCost", "loadBalancerCostAdjustment")),
    ("shared", None, None, ("sharedCost",)),
    ("external", None, None, ("externalCost",)),
)
EXPORT_COMPONENTS = (
    ("cpu", "CPUCoreRequestAverage", "cores (average)", ("CPUCost",)),
    ("gpu", "GPUs", "GPUs", ("GPUCost",)),
    ("ram", "RAMBytesRequestAverage", "bytes (average)", ("RAMCost",)),
    ("pv", "PVBytes", "bytes", ("PVCost",)),
    ("network", "NetworkTransferBytes", "bytes", ("NetworkCost",)),
)
NUMBER_FIELDS = frozenset(
    {"totalCost"}
    | {field for _, quantity, _, costs in ALLOCATION_COMPONENTS for field in (quantity, *costs) if field}
)
MALFORMED = "_malformed"
"""A record's column saying why its allocation's structure is wrong (a reject reason)."""
_SCALAR = (str, type(None))
_OBJECTS = (("window",), ("properties",), ("properties", "namespaceLabels"), ("properties", "labels"))
"""The allocation's members read as JSON objects: another value there rejects the allocation."""


def allocation_records(document: Any, path: Path) -> pl.DataFrame:
    """The allocations of an /allocation response (`data`: a list of sets, or one set), one
    record each, with numbers as the text the API wrote and the tags as a JSON object. A
    document that is no /allocation response is an UnreadableFileError; a malformed allocation
    is a record all the same, its `_malformed` column saying why (so it is rejected, not lost)."""
    if not isinstance(document, dict):
        raise UnreadableFileError(f"{path}: not an OpenCost /allocation response (not a JSON object)")
    if document.get("code") not in (None, "200"):
        message = document.get("message")
        raise UnreadableFileError(
            f"{path}: an OpenCost error response (code {document['code']}){f': {message}' if message else ''}"
        )
    data = [document["data"]] if isinstance(document.get("data"), dict) else document.get("data", ())
    # Go writes an empty list of sets, or an empty set, as null: no allocation, not an error
    if not isinstance(data, list | None):
        raise UnreadableFileError(f"{path}: not an OpenCost /allocation response (no `data` list of sets)")
    rows: list[dict[str, str | None]] = []
    for index, allocation_set in enumerate(data or []):
        if not isinstance(allocation_set, dict | None):
            raise UnreadableFileError(f"{path}: data[{index}] is not an allocation set (a JSON object)")
        rows.extend(
            _allocation_record(name, allocation) for name, allocation in (allocation_set or {}).items()
        )
    return pl.DataFrame(rows, infer_schema_length=None).cast(pl.String) if rows else pl.DataFrame()


def _allocation_record(name: str, allocation: Any) -> dict[str, str | None]:
    if not isinstance(allocation, dict):
        return {"name": name, MALFORMED: "allocation: not a JSON object"}
    row: dict[str, str | None] = {k: v for k, v in allocation.items() if isinstance(v, _SCALAR)}
    # a number field holding an object, a list or a boolean is not a number: its JSON text makes
    # the conversion reject the allocation naming the field, where leaving it out counted it as 0
    row |= {
        k: json.dumps(v) for k, v in allocation.items() if k in NUMBER_FIELDS and not isinstance(v, _SCALAR)
    }
    malformed = next(
        (".".join(p) for p in _OBJECTS if not isinstance(_member(allocation, p), dict | None)), None
    )
    if malformed is not None:
        return row | {"name": name, MALFORMED: f"{malformed}: not a JSON object"}
    properties = allocation.get("properties") or {}
    tags = {**(properties.get("namespaceLabels") or {}), **(properties.get("labels") or {})}
    for key in ("cluster", "namespace", "controllerKind", "controller", "pod", "container"):
        if isinstance(properties.get(key), str):
            tags[key] = properties[key]
    # the window's start, else the allocation's own (`start`, beside the window in OpenCost's
    # answers): a column the conversion reads once it exists, null or not
    start = (allocation.get("window") or {}).get("start") or allocation.get("start")
    row |= {"name": name, "windowStart": start if isinstance(start, _SCALAR) else json.dumps(start)}
    # the cluster is a property in /allocation answers: the line's SubAccountId too
    if isinstance(properties.get("cluster"), str):
        row.setdefault("cluster", properties["cluster"])
    row["Tags"] = json.dumps(tags, ensure_ascii=False) if tags else None
    return row


def _member(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The member at `path` (None where a step is missing or not an object)."""
    value: Any = document
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _body(expr: pl.Expr) -> pl.Expr:
    """A JSON object text's members, without its braces; null when it has none."""
    return (
        expr.str.strip_chars().str.strip_prefix("{").str.strip_suffix("}").str.strip_chars().replace("", None)
    )


def _export_tags(c: Columns) -> pl.Expr:
    """The namespace, controller and pod as tags, merged with the export's Labels object."""
    names = (("namespace", "namespace"), ("controller", "controllername"), ("pod", "pod"))
    own = tags_object((key, name) for key, column in names if (name := c.name(column)) is not None)
    body = pl.concat_str([_body(own), _body(c.text("labels"))], separator=",", ignore_nulls=True)
    return pl.when(body != "").then(pl.concat_str(pl.lit("{"), body, pl.lit("}")))


def read_json_text(path: Path) -> Any:
    """A JSON document with its numbers kept as the text written (floats never round, NaN is
    text that is not a number); an UnreadableFileError naming the file and line otherwise."""
    with reading(path), open_binary(path) as handle:
        content = handle.read()
    try:
        return json.loads(content, parse_float=str, parse_int=str, parse_constant=str)
    except UnicodeDecodeError as error:
        raise UnreadableFileError(csv_problem(path, error)) from None
    except json.JSONDecodeError as error:
        where = f"{path}: line {error.lineno}, column {error.colno}"
        # one allocation a line: kind detection took the first line for a record of JSON lines
        if error.msg == "Extra data":
            raise UnreadableFileError(
                f"{where}: a second JSON document: an /allocation response is one document, "
                "not one allocation a line"
            ) from None
        raise UnreadableFileError(f"{where}: not JSON: {error.msg}") from None
    except RecursionError:
        raise UnreadableFileError(f"{path}: JSON nested too deeply for an /allocation response") from None


class OpenCost:
    """The converter of OpenCost allocation JSON and CSV exports."""

    def read(self, path: Path) -> pl.DataFrame:
        if is_json(path):  # kind detection reads a first line only: the shape is checked here
            return allocation_records(read_json_text(path), path)
        return read_table(path)

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        c = Columns(raw.drop(MALFORMED, strict=False), str.lower)
        is_export = c.name("date") is not None and c.name("cpucost") is not None
        components = EXPORT_COMPONENTS if is_export else ALLOCATION_COMPONENTS
        start = c.date("date", "windowstart", "start")
        tags = _export_tags(c) if is_export else c.text("tags")
        common: list[pl.Expr | str] = [
            "_line",
            *c.provider_columns(),
            start.alias("BillingPeriodStart"),
            start.alias("ChargePeriodStart"),
            pl.lit("Kubernetes").alias("ProviderName"),
            pl.lit("Kubernetes").alias("ServiceCategory"),
            c.text("cluster").alias("SubAccountId"),
            c.text("name", "pod", "namespace").alias("ResourceId"),
            tags.alias("Tags"),
            pl.lit("Usage").alias("ChargeCategory"),
            "_problem",
        ]
        numbers = [f.lower() for _, quantity, _, fields in components for f in (quantity, *fields) if f]
        problem = pl.coalesce(
            pl.col(MALFORMED) if MALFORMED in raw.columns else pl.lit(None, pl.String),
            pl.when(start.is_null()).then(pl.lit(f"{c.label('date', 'windowstart')}: missing or not a date")),
            c.problems("totalcost", *numbers),
            pl.when(c.text("totalcost").is_null()).then(pl.lit(f"{c.label('totalcost')}: missing")),
        )
        judged = raw.with_columns(problem.alias("_problem"))
        good = judged.filter(pl.col("_problem").is_null())
        # a bad allocation is rejected once, whole: its cost is its total as written (counted
        # exactly when it is a number, even one no line could hold), so that the source's total
        # stays the file's own and nothing of the allocation vanishes from it
        rejected = judged.filter(pl.col("_problem").is_not_null()).select(
            *common, *_figures(None, c.text("totalcost"), None, None)
        )
        lines = [rejected]
        parts = []
        zero = pl.lit(0, DECIMAL)
        for component, quantity, unit, fields in components:
            cost = pl.sum_horizontal(c.decimal(f.lower()).fill_null(zero) for f in fields).cast(DECIMAL)
            parts.append(cost)
            amount = c.text(quantity.lower()) if quantity is not None else pl.lit(None, pl.String)
            # a resource line with neither a quantity nor a cost says nothing: not kept
            said = (cost != 0) | (amount.str.to_decimal(scale=SCALE).fill_null(0) != 0)
            lines.append(good.filter(said).select(*common, *_figures(component, cost, amount, unit)))
        residual = (c.decimal("totalcost") - pl.sum_horizontal(parts)).cast(DECIMAL)
        # an allocation costing 0 keeps its one line of 0: it was read
        said = (residual != 0) | (c.decimal("totalcost") == 0)
        lines.append(good.filter(said).select(*common, *_figures("other", residual, None, None)))
        return pl.concat(lines, how="vertical_relaxed").sort("_line", maintain_order=True)


def _figures(
    component: str | None, cost: pl.Expr, quantity: pl.Expr | None, unit: str | None
) -> list[pl.Expr]:
    """A line's service, cost, quantity and unit. The cost is text: a rejected allocation's is
    its total as written, which may hold more places than a decimal column could."""
    amount = quantity if quantity is not None else pl.lit(None, pl.String)
    return [
        pl.lit(None if component is None else f"Kubernetes {component}", pl.String).alias("ServiceName"),
        cost.cast(pl.String).alias("BilledCost"),
        cost.cast(pl.String).alias("EffectiveCost"),
        amount.alias("PricingQuantity"),
        pl.lit(unit, pl.String).alias("PricingUnit"),
        amount.alias("ConsumedQuantity"),
        pl.lit(unit, pl.String).alias("ConsumedUnit"),
    ]
