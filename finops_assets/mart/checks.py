"""The invariants of DESIGN.md section 3 as check results, read back from the mart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue
from psycopg.rows import dict_row

from finops_assets.landing import LandingSlice
from finops_core.sql import sql_text


def _rows(database_url: str, script: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        return conn.execute(sql_text(script).encode(), params).fetchall()


def nothing_lost(database_url: str, source: str, month: date) -> AssetCheckResult:
    rows = _rows(database_url, "batch/check_nothing_lost.sql", {"source": source, "month": month})
    if not rows:
        return AssetCheckResult(check_name="nothing_lost", passed=False, description="no load audit row")
    row = rows[0]
    passed = (
        row["rows_read"] == row["rows_loaded"] + row["rows_rejected"]
        and row["lines_in_facts"] == row["rows_loaded"]
        and row["rows_in_rejects"] == row["rows_rejected"]
    )
    return AssetCheckResult(
        check_name="nothing_lost",
        passed=bool(passed),
        metadata={key: int(value) for key, value in row.items()},
    )


def conservation(database_url: str, source: str, month: date) -> AssetCheckResult:
    rows = _rows(database_url, "batch/check_conservation.sql", {"source": source, "month": month})
    failures = [r for r in rows if r["mart_total"] + r["rejected_total"] != r["source_total"]]
    table = "\n".join(
        f"| {r['currency']} | {r['source_total']} | {r['mart_total']} | {r['rejected_total']} |" for r in rows
    )
    return AssetCheckResult(
        check_name="conservation",
        passed=not failures,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "totals": MetadataValue.md(
                "| currency | file total | mart total | rejected |\n|---|---|---|---|\n" + table
            )
        },
    )


def quantity_conservation(database_url: str, slice_: LandingSlice) -> AssetCheckResult:
    """For sources whose quantities are measured in the file (tabular): per unit, the facts'
    quantity plus what the rejected rows carried equals the file's own total, exactly. The
    files' totals are the landed manifest's, the one the load just checked and loaded."""
    manifest = slice_.read_manifest()
    source = {unit: Decimal(v) for unit, v in manifest.get("source_quantity", {}).items()}
    rejected = {unit: Decimal(v) for unit, v in manifest.get("rejected_quantity", {}).items()}
    params = {"source": slice_.source, "month": slice_.month}
    mart = {r["unit"]: r["quantity"] for r in _rows(database_url, "batch/quantity_by_unit.sql", params)}
    units = sorted(source.keys() | rejected.keys() | mart.keys())
    zero = Decimal(0)
    failures = [u for u in units if mart.get(u, zero) + rejected.get(u, zero) != source.get(u, zero)]
    table = "\n".join(
        f"| {u} | {source.get(u, zero)} | {mart.get(u, zero)} | {rejected.get(u, zero)} |" for u in units
    )
    return AssetCheckResult(
        check_name="quantity_conservation",
        passed=not failures,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "totals": MetadataValue.md(
                "| unit | file total | mart total | rejected |\n|---|---|---|---|\n" + table
            )
        },
    )


def valuation_matches_consumption(database_url: str, month: date) -> AssetCheckResult:
    rows = _rows(database_url, "batch/check_valuation.sql", {"month": month})
    failures = [r for r in rows if r["fact_total"] != r["valued_total"]]
    return AssetCheckResult(
        check_name="actual_equals_consumption",
        passed=not failures,
        metadata={
            "sources": len({r["source"] for r in rows}),
            "mismatches": MetadataValue.json([{k: str(v) for k, v in r.items()} for r in failures]),
        },
    )
