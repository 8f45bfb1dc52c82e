"""The invariants of docs/design.md section 3 as check results, read back from the mart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue
from psycopg.rows import dict_row

from finops_assets.landing import LandingSlice
from finops_assets.mart.connection import Mart, connection
from finops_core.decimals import exact_sum, exact_text
from finops_core.months import format_month
from finops_core.sql import sql_text
from finops_core.vocabulary import UNALLOCATED


def _rows(mart: Mart, script: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection(mart) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql_text(script).encode(), params).fetchall()


def nothing_lost(mart: Mart, source: str, month: date) -> AssetCheckResult:
    rows = _rows(mart, "batch/check_nothing_lost.sql", {"source": source, "month": month})
    if not rows:
        return AssetCheckResult(check_name="nothing_lost", passed=False, description="no load audit row")
    row = rows[0]
    passed = (
        row["rows_read"] == row["rows_loaded"] + row["rows_rejected"] + row["rows_filtered"]
        and row["lines_in_facts"] == row["rows_loaded"]
        and row["rows_in_rejects"] == row["rows_rejected"]
    )
    return AssetCheckResult(
        check_name="nothing_lost",
        passed=bool(passed),
        metadata={key: int(value) for key, value in row.items()},
    )


def rejected_share(mart: Mart, source: str, month: date, maximum: float) -> AssetCheckResult:
    """Warns when the month's load rejected more than `maximum` of the rows it kept (the
    source's delivery.max_rejected_share): a re-delivery over it is held, a first delivery,
    with nothing to lose, is loaded, and said so here (every row of a file in the wrong locale
    rejected was an `ok`)."""
    rows = _rows(mart, "batch/check_rejected_share.sql", {"source": source, "month": month})
    if not rows:
        return AssetCheckResult(check_name="rejected_share", passed=True, description="no load of the month")
    row = rows[0]
    kept, rejected, reason = row["rows_kept"], row["rows_rejected"], row["reason"]
    over = rejected > maximum * kept
    share = f"{100 * rejected / kept:.1f}%" if kept else "none kept"
    most = (
        f"; most in {row['column_name']} ({row['column_rows']} rows), e.g. {reason!r}"
        if reason is not None
        else ""
    )
    return AssetCheckResult(
        check_name="rejected_share",
        passed=not over,
        severity=AssetCheckSeverity.WARN,
        description=f"{rejected} of {kept} rows rejected ({share}, max_rejected_share {maximum:.0%}){most}",
        metadata={"rejected_by_column": MetadataValue.json(row["by_column"] or {})},
    )


def _totals_check(
    name: str, key: str, totals: list[tuple[str, Decimal, Decimal, Decimal, Decimal]]
) -> AssetCheckResult:
    """Passes when, for every key (currency or unit), mart + rejected + filtered = the file's own
    total, exactly; the totals are (key, file total, mart total, rejected total, filtered total),
    filtered being what the source's row filters kept out (0 for a source without filters)."""
    failures = [
        k for k, whole, mart, rejected, filtered in totals if exact_sum(mart, rejected, filtered) != whole
    ]
    table = "\n".join("| " + " | ".join(str(cell) for cell in row) + " |" for row in totals)
    return AssetCheckResult(
        check_name=name,
        passed=not failures,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "totals": MetadataValue.md(
                f"| {key} | file total | mart total | rejected | filtered |\n|---|---|---|---|---|\n" + table
            )
        },
    )


def conservation(mart: Mart, source: str, month: date) -> AssetCheckResult:
    rows = _rows(mart, "batch/check_conservation.sql", {"source": source, "month": month})
    return _totals_check(
        "conservation",
        "currency",
        [
            (r["currency"], r["source_total"], r["mart_total"], r["rejected_total"], r["filtered_total"])
            for r in rows
        ],
    )


def quantity_conservation(mart: Mart, slice_: LandingSlice) -> AssetCheckResult:
    """For sources whose quantities are measured in the file (tabular): per unit, the facts'
    quantity plus what the rejected and the filtered rows carried equals the file's own total,
    exactly. The files' totals are the landed manifest's, the one the load just checked and
    loaded."""
    manifest = slice_.read_manifest()

    def totals(name: str) -> dict[str, Decimal]:
        return {unit: Decimal(v) for unit, v in manifest.get(name, {}).items()}

    source, rejected = totals("source_quantity"), totals("rejected_quantity")
    filtered = totals("filtered_quantity")
    params = {"source": slice_.source, "month": slice_.month}
    loaded = {r["unit"]: r["quantity"] for r in _rows(mart, "batch/quantity_by_unit.sql", params)}
    units = sorted(source.keys() | rejected.keys() | filtered.keys() | loaded.keys())
    zero = Decimal(0)
    return _totals_check(
        "quantity_conservation",
        "unit",
        [
            (u, source.get(u, zero), loaded.get(u, zero), rejected.get(u, zero), filtered.get(u, zero))
            for u in units
        ],
    )


def valuation_matches_consumption(mart: Mart, month: date) -> AssetCheckResult:
    rows = _rows(mart, "batch/check_valuation.sql", {"month": month})
    failures = [r for r in rows if r["fact_total"] != r["valued_total"]]
    return AssetCheckResult(
        check_name="actual_equals_consumption",
        passed=not failures,
        metadata={
            "sources": len({r["source"] for r in rows}),
            "mismatches": MetadataValue.json([{k: str(v) for k, v in r.items()} for r in failures]),
        },
    )


def mapping_coverage(mart: Mart, source: str, month: date, threshold: float) -> AssetCheckResult:
    """Warns when less than `threshold` of a currency's cost is attributed to an application,
    directly or by an allocation rule that spreads it (the rest is in `unallocated`, visible,
    but nobody's)."""
    params = {"source": source, "month": month, "unallocated": UNALLOCATED}
    with connection(mart) as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql_text("batch/allocation/indirect_product.sql").encode(), {"month": month})
        rows = cur.execute(sql_text("batch/check_mapping_coverage.sql").encode(), params).fetchall()
    minimum = Decimal(str(threshold))  # 0.8 as written, not the binary float just above it
    below = [f"{r['currency']} {exact_text(r['mapped_share'])}" for r in rows if r["mapped_share"] < minimum]
    table = "\n".join(
        f"| {r['currency']} | {exact_text(r['mapped_cost'])} | {exact_text(r['allocated_cost'])} "
        f"| {exact_text(r['unallocated_cost'])} | {r['mapped_lines']} | {r['allocated_lines']} "
        f"| {r['unallocated_lines']} | {exact_text(r['mapped_share'])} |"
        for r in rows
    )
    return AssetCheckResult(
        check_name="mapping_coverage",
        passed=not below,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"mapped share under {threshold} in {', '.join(below)}"
            if below
            else f"mapped share >= {threshold}"
        ),
        metadata={
            "threshold": threshold,
            "coverage": MetadataValue.md(
                "| currency | mapped cost | spread by allocation | unallocated cost | mapped lines "
                "| lines spread by allocation | unallocated lines | mapped share |\n"
                "|---|---|---|---|---|---|---|---|\n" + table
            ),
        },
    )


def allocation_conservation(mart: Mart, month: date) -> AssetCheckResult:
    differences = _rows(mart, "batch/check_allocation.sql", {"month": month})
    return AssetCheckResult(
        check_name="allocation_conservation",
        passed=not differences,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "differences": MetadataValue.json(
                [{k: str(v) for k, v in row.items()} for row in differences[:20]]
            )
        },
    )


def _price_gap(row: dict[str, Any]) -> str | None:
    """What one view's row of check_price_coverage.sql warns of: its unpriced rows, and beside
    them the prices of codes the mart never knew (a typo's: `vm-hour` priced, `vm-hours` not).
    Such prices alone are no gap: a budget may price a product before its first consumption."""
    if not row["rows_unpriced"]:
        return None
    unknown = row["unknown_products"]
    return (
        f"{row['pricing_view_code']}: {row['rows_unpriced']} of {row['rows_total']} rows unpriced "
        f"(first: {row['unpriced_products']})"
        + (f", prices of products the mart does not know: {unknown}" if unknown else "")
    )


def price_coverage(mart: Mart, month: date) -> AssetCheckResult:
    """Warns when a rate-card view leaves rows unpriced: they are NULL, never 0, in the view."""
    rows = _rows(mart, "batch/check_price_coverage.sql", {"month": month})
    gaps = [gap for row in rows if (gap := _price_gap(row))]
    table = "\n".join(
        f"| {r['pricing_view_code']} | {r['rows_total']} | {r['rows_unpriced']} "
        f"| {r['unpriced_products'] or ''} | {r['unknown_products'] or ''} |"
        for r in rows
    )
    return AssetCheckResult(
        check_name="price_coverage",
        passed=not gaps,
        severity=AssetCheckSeverity.WARN,
        description="; ".join(gaps) or None,
        metadata={
            "coverage": MetadataValue.md(
                "| view | rows | unpriced | first unpriced products | prices of unknown products |\n"
                "|---|---|---|---|---|\n" + table
            )
        },
    )


def no_delivery(slice_: LandingSlice) -> AssetCheckResult:
    """Warns when no file of the source holds the month: its mart slice is then empty because
    nothing was delivered, which a month that really cost nothing (files read, total 0) is not."""
    files = slice_.read_manifest().get("files", [])
    month = format_month(slice_.month)
    return AssetCheckResult(
        check_name="no_delivery",
        passed=bool(files),
        severity=AssetCheckSeverity.WARN,
        description=(
            f"{len(files)} file(s) of {slice_.source} hold {month}"
            if files
            else f"no file of {slice_.source} holds a record of {month}: nothing was delivered for this month"
        ),
        metadata={"files": len(files)},
    )
