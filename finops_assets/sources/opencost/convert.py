"""OpenCost allocations to FOCUS lines: each allocation (a namespace, controller or pod over a
window) becomes one line per resource it was charged for, each with its own quantity and unit
(CPU core-hours, RAM byte-hours, GPU-hours, PV byte-hours, network bytes), so Kubernetes
costs join the mart as products like any cloud's. Load balancer, shared and external costs
are amounts (monetary lines); whatever the resource costs do not add up to of the
allocation's total cost is one more amount line, so the lines always sum to the total.

The allocation's namespace, cluster, controller and pod are tags beside its labels, so
`application_tag: namespace` (or a label's key) maps the lines to applications. OpenCost has
no currency column: the source's `default_currency` applies.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import polars as pl

from finops_assets.sources.decimals import DECIMAL, SCALE
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
_SCALAR = (str, type(None))


def allocation_records(document: Any) -> pl.DataFrame:
    """The allocations of an /allocation response (`data`: a list of sets, or one set), one
    record each, with numbers as the text the API wrote and the tags as a JSON object."""
    sets = document.get("data") if isinstance(document, dict) else None
    sets = [sets] if isinstance(sets, dict) else sets or []
    rows = []
    for allocation_set in sets if isinstance(sets, list) else []:
        for name, allocation in allocation_set.items() if isinstance(allocation_set, dict) else []:
            if not isinstance(allocation, dict):
                continue  # not an allocation (detection refuses such a response before a run)
            properties = allocation.get("properties") or {}
            tags = {**(properties.get("namespaceLabels") or {}), **(properties.get("labels") or {})}
            for key in ("cluster", "namespace", "controllerKind", "controller", "pod", "container"):
                if isinstance(properties.get(key), str):
                    tags[key] = properties[key]
            row = {k: v for k, v in allocation.items() if isinstance(v, _SCALAR)}
            # the window's start, else the allocation's own (`start`, beside the window in
            # OpenCost's answers): a column the conversion reads once it exists, null or not
            start = (allocation.get("window") or {}).get("start") or allocation.get("start")
            row |= {"name": name, "windowStart": start}
            # the cluster is a property in /allocation answers: the line's SubAccountId too
            if isinstance(properties.get("cluster"), str):
                row.setdefault("cluster", properties["cluster"])
            row["Tags"] = json.dumps(tags, ensure_ascii=False) if tags else None
            rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None).cast(pl.String) if rows else pl.DataFrame()


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
    """A JSON document with its numbers kept as the text written (floats never round)."""
    with gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb") as handle:
        return json.load(handle, parse_float=str, parse_int=str)


class OpenCost:
    """The converter of OpenCost allocation JSON and CSV exports."""

    def read(self, path: Path) -> pl.DataFrame:
        if is_json(path):  # kind detection let only an /allocation response through
            return allocation_records(read_json_text(path))
        return read_table(path)

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        c = Columns(raw, str.lower)
        is_export = c.name("date") is not None and c.name("cpucost") is not None
        components = EXPORT_COMPONENTS if is_export else ALLOCATION_COMPONENTS
        start = c.date("date", "windowstart", "start")
        tags = _export_tags(c) if is_export else c.text("tags")
        common = [
            "_line",
            *c.provider_columns(),
            start.alias("BillingPeriodStart"),
            start.alias("ChargePeriodStart"),
            pl.lit("Kubernetes").alias("ProviderName"),
            pl.lit("Kubernetes").alias("ServiceCategory"),
            c.text("cluster").alias("SubAccountId"),
            c.text("name", "pod", "namespace").alias("ResourceId"),
            tags.alias("Tags"),
            (c.decimal("totalcost") == 0).alias("_zero_total"),
        ]
        zero = pl.lit(0).cast(DECIMAL)
        problem = pl.coalesce(
            pl.when(start.is_null()).then(pl.lit(f"{c.label('date', 'windowstart')}: missing or not a date")),
            c.problems("totalcost", *(f.lower() for _, _, _, fields in components for f in fields)),
            pl.when(c.text("totalcost").is_null()).then(pl.lit(f"{c.label('totalcost')}: missing")),
        )
        lines = []
        parts = []
        for component, quantity, unit, fields in components:
            cost = pl.sum_horizontal(c.decimal(f.lower()).fill_null(zero) for f in fields).cast(DECIMAL)
            parts.append(cost)
            amount = c.text(quantity.lower()) if quantity is not None else None
            lines.append(_line(raw, common, problem, component, amount, unit, cost))
        residual = (c.decimal("totalcost") - pl.sum_horizontal(parts)).cast(DECIMAL)
        lines.append(_line(raw, common, problem, "other", None, None, residual))
        converted = pl.concat(lines, how="vertical_relaxed")
        first = components[0][0]
        has_amount = (pl.col("EffectiveCost") != 0) | (
            pl.col("PricingQuantity").str.to_decimal(scale=SCALE).fill_null(0) != 0
        )
        # a bad allocation is rejected once (on its first line); a resource line with neither a
        # quantity nor a cost says nothing and is not kept (an allocation costing 0 keeps one line)
        kept = (
            pl.when(pl.col("_problem").is_not_null())
            .then(pl.col("_component") == first)
            .otherwise(has_amount | ((pl.col("_component") == "other") & pl.col("_zero_total")))
        )
        return converted.filter(kept).sort("_line", maintain_order=True).drop("_component", "_zero_total")


def _line(
    raw: pl.DataFrame,
    common: list[Any],
    problem: pl.Expr,
    component: str,
    quantity: pl.Expr | None,
    unit: str | None,
    cost: pl.Expr,
) -> pl.DataFrame:
    amount = quantity if quantity is not None else pl.lit(None, pl.String)
    return raw.select(
        *common,
        pl.lit(component).alias("_component"),
        pl.lit(f"Kubernetes {component}").alias("ServiceName"),
        pl.lit("Usage").alias("ChargeCategory"),
        cost.alias("BilledCost"),
        cost.alias("EffectiveCost"),
        amount.alias("PricingQuantity"),
        pl.lit(unit, pl.String).alias("PricingUnit"),
        amount.alias("ConsumedQuantity"),
        pl.lit(unit, pl.String).alias("ConsumedUnit"),
        problem.alias("_problem"),
    )
