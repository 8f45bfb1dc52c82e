"""Allocation of indirect pools over applications, one month at a time.

A pool is an indirect product's consumption of the month (per source, currency and unit). The
most specific allocation rule valid that month spreads its quantity, and its reported cost by
the same weights, over applications (`finops_assets/mart/apportion.py`), so that the shares sum
to the pool exactly; every pricing view then values the shares, never the quantities' totals.
A pool with no rule, or whose rule finds no weight that month, stays as it was recorded
(origin `pool`; shared tools' consumption is usually recorded under `unallocated`), visible.
The month of `allocated_indirect` (shares and unspread pools) is replaced in one transaction;
the direct consumption is not copied: the view `allocated_consumption` adds it from the facts
(migrations/0016_allocated_consumption_view.sql).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from finops_assets.mart.apportion import apportion, decimals_of
from finops_assets.mart.connection import Mart, connection
from finops_assets.mart.month_partitions import ensure_month_partitions, vacuum_month_partitions
from finops_assets.mart.publication import input_version, record_layer
from finops_assets.mart.read_models import delete_month
from finops_assets.referentials.allocation import BACKSTAGE_TEAM_SIZE
from finops_core.months import format_month
from finops_core.sql import sql_statements, sql_text
from finops_core.vocabulary import UNALLOCATED

TABLE = "allocated_indirect"
COLUMNS = (
    "month", "source", "application_code", "product_code", "currency", "unit", "quantity", "source_cost",
    "origin", "allocation_rule_code", "method", "weight", "total_weight",
)  # fmt: skip
COST_SCALE = 2
"""Cost shares are cents at least (finer when the pool's cost is finer)."""


@dataclass(frozen=True)
class AllocationSummary:
    pools: int
    allocated_pools: int
    unallocated_pools: list[str]
    """source/product/currency of the pools no rule spread, left as recorded."""
    shares: int
    unknown_scopes: list[str]
    """The rules valid that month whose scope names a code the mart never knew (`rule: level
    'code'`): a typo, which leaves the pool meant unallocated."""

    def summary(self) -> str:
        """One line of the run's log."""
        line = f"{self.allocated_pools} of {self.pools} pools allocated in {self.shares} shares"
        if self.unallocated_pools:
            line += f"; left unallocated: {', '.join(self.unallocated_pools)}"
        if self.unknown_scopes:
            line += f"; rules naming codes the mart does not know: {', '.join(self.unknown_scopes)}"
        return line


def _weights(cur: psycopg.Cursor[Any], pool: Mapping[str, Any], month: date) -> dict[str, Decimal]:
    method = pool["method"]
    parameters: dict[str, Any] = json.loads(pool["parameters"])
    if method == "fixed":
        return {
            app: Decimal(share) for app, share in sorted(parameters["shares"].items()) if Decimal(share) > 0
        }
    if method == "even" and "applications" in parameters:
        return dict.fromkeys(sorted(parameters["applications"]), Decimal(1))
    params: dict[str, Any] = {"month": month, "unallocated": UNALLOCATED, **parameters}
    if method == "even":
        script = "weights_even"
    elif method == "proportional":
        script = "weights_proportional"
    elif pool["driver"] == BACKSTAGE_TEAM_SIZE:
        script = "weights_team_size"
    else:
        script, params["driver"] = "weights_driver", pool["driver"]
    cur.execute(sql_text(f"batch/allocation/{script}.sql").encode(), params)
    return {row["application_code"]: Decimal(row["weight"]) for row in cur.fetchall()}


def _share_rows(pool: Mapping[str, Any], month: date, weights: dict[str, Decimal]) -> list[tuple[Any, ...]]:
    keys = (month, pool["source"])
    product = (pool["product_code"], pool["currency"], pool["unit"])
    applications = list(weights)
    values = list(weights.values())
    quantities = apportion(pool["quantity"], values, pool["scale"])
    costs = apportion(pool["source_cost"], values, max(COST_SCALE, decimals_of(pool["source_cost"])))
    total_weight = sum(values)
    return [
        (
            *keys,
            app,
            *product,
            quantity,
            cost,
            "allocated",
            pool["rule_code"],
            pool["method"],
            weight,
            total_weight,
        )
        for app, weight, quantity, cost in zip(applications, values, quantities, costs, strict=True)
    ]


def _copy_rows(cur: psycopg.Cursor[Any], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with cur.copy(
        sql.SQL("COPY finops.{} ({}) FROM STDIN").format(
            sql.Identifier(TABLE), sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
        )
    ) as copy:
        for row in rows:
            copy.write_row(row)


def allocate_month(mart: Mart, month: date) -> AllocationSummary:
    ensure_month_partitions(mart, (TABLE,), month)
    with connection(mart) as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", [TABLE, format_month(month)])
        version = input_version(cur, "allocation", month)
        deleted = delete_month(cur, TABLE, month)
        cur.execute(sql_text("batch/allocation/indirect_product.sql").encode(), {"month": month})
        for statement in sql_statements("batch/allocation/pools_as_recorded.sql"):
            cur.execute(statement, {"month": month})
        cur.execute(sql_text("batch/allocation/pools.sql").encode(), {"month": month})
        pools = cur.fetchall()
        rows: list[tuple[Any, ...]] = []
        unallocated: list[str] = []
        for pool in pools:
            weights = _weights(cur, pool, month) if pool["rule_code"] is not None else {}
            if not weights:
                unallocated.append(f"{pool['source']}/{pool['product_code']}/{pool['currency']}")
                continue
            cur.execute(sql_text("batch/allocation/remove_pool.sql").encode(), {"month": month, **pool})
            rows.extend(_share_rows(pool, month, weights))
        _copy_rows(cur, rows)
        cur.execute(sql_text("batch/allocation/register_applications.sql").encode(), {"month": month})
        cur.execute(sql_text("batch/allocation/unknown_scopes.sql").encode(), {"month": month})
        unknown_scopes = [row["rule"] for row in cur.fetchall()]
        record_layer(cur, "allocation", month, version)
    if deleted:
        vacuum_month_partitions(mart, (TABLE,), month)
    shares = sum(1 for row in rows if row[8] == "allocated")
    return AllocationSummary(len(pools), len(pools) - len(unallocated), unallocated, shares, unknown_scopes)
