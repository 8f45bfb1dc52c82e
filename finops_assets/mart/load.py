"""Load one (source, month) of landed lines into the mart, replacing exactly that slice.

One transaction per slice, guarded by an advisory lock keyed by (table, source, month): two
runs of the same month at once queue instead of doubling the rows (docs/design.md section 10).
Rows go in with COPY, never row by row.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl
import psycopg
from psycopg.types.json import Jsonb

from finops_assets.landing import FACT_KEYS, PRODUCT_COLUMNS, LandingSlice
from finops_assets.mart.connection import Mart, connection
from finops_assets.mart.month_partitions import ensure_month_partitions, vacuum_month_partitions
from finops_assets.mart.publication import record_load
from finops_core.months import format_month
from finops_core.sql import sql_statements, sql_text

FACT_COLUMNS = ("month", "source", *FACT_KEYS, "quantity", "source_cost", "line_count", "load_id")
REJECT_COLUMNS = ("month", "source", "load_id", "file", "line_number", "column_name", "reason", "raw_row")
_INTERNAL = {"_file", "_line", "_month", "reason", "column"}


@dataclass(frozen=True)
class LoadResult:
    load_id: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    fact_rows: int
    rows_filtered: int = 0


def _csv(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    return buffer.getvalue()


def _copy(cur: psycopg.Cursor[object], table: str, columns: tuple[str, ...], frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(_csv(frame.select(columns)))


def _rejects_frame(slice_: LandingSlice) -> pl.DataFrame:
    rejects = pl.read_parquet(slice_.rejects)
    raw_columns = [c for c in rejects.columns if c not in _INTERNAL]
    raw_row = (
        pl.struct([pl.col(c).cast(pl.String) for c in raw_columns]).struct.json_encode()
        if raw_columns
        else pl.lit("{}")
    )
    return rejects.select(
        pl.col("_file").alias("file"),
        pl.col("_line").alias("line_number"),
        pl.col("column").fill_null("?").alias("column_name"),
        pl.col("reason"),
        raw_row.alias("raw_row"),
    )


LAST_FACTS = "batch/deliveries/last_facts.sql"


def load_consumption(mart: Mart, slice_: LandingSlice, cost_column: str, run_id: str | None) -> LoadResult:
    """The landed month replaces the source's month of fact_consumption in one transaction,
    audited as a load of the Dagster run `run_id`."""
    started_at = datetime.now(UTC)
    manifest = slice_.read_manifest()
    facts_bytes = slice_.facts.read_bytes()
    if hashlib.sha256(facts_bytes).hexdigest() != manifest["facts_sha256"]:
        # an ingest of the same month published between our reads: load none of it
        raise RuntimeError(f"{slice_.folder}: facts.parquet does not match its manifest; materialize again")
    facts = pl.read_parquet(io.BytesIO(facts_bytes))
    products = pl.read_parquet(slice_.products)
    applications = facts.select("application_code").unique()
    rejects = _rejects_frame(slice_)
    rows_read, rows_rejected = int(manifest["rows_read"]), int(manifest["rows_rejected"])
    rows_filtered = int(manifest.get("rows_filtered", 0))  # landed before row filters: none
    rows_loaded = int(facts["line_count"].sum()) if facts.height else 0
    if rows_loaded + rejects.height + rows_filtered != rows_read:
        raise RuntimeError(
            f"{slice_.folder}: landed {rows_loaded} lines + {rejects.height} rejects + "
            f"{rows_filtered} filtered but the manifest read {rows_read} rows; re-materialize billing_lines"
        )
    month, source = slice_.month, slice_.source
    ensure_month_partitions(mart, ("fact_consumption",), month)
    with connection(mart) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(hashtext('fact_consumption'), hashtext(%s))",
            [f"{source}|{format_month(month)}"],
        )
        cur.execute(sql_text(LAST_FACTS).encode(), {"source": source, "month": month})
        last = cur.fetchone()
        same_facts = last is not None and last[0] == manifest["facts_sha256"]
        cur.execute(
            "INSERT INTO finops.load_audit (source, month, rows_read, rows_loaded, rows_rejected, files,"
            " cost_column, source_cost, rejected_cost, started_at, finished_at, rows_filtered, filtered_cost,"
            " run_id, facts_sha256)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp(), %s, %s, %s, %s)"
            " RETURNING load_id",
            [source, month, rows_read, rows_loaded, rows_rejected, Jsonb(manifest["files"]), cost_column,
             Jsonb(manifest["source_cost"]), Jsonb(manifest["rejected_cost"]), started_at, rows_filtered,
             Jsonb(manifest.get("filtered_cost", {})), run_id, manifest["facts_sha256"]],
        )  # fmt: skip
        row = cur.fetchone()
        assert row is not None
        load_id = int(row[0])
        replaced = 0
        for statement in sql_statements("batch/replace_consumption.sql"):
            cur.execute(statement, {"month": month, "source": source})
            replaced += cur.rowcount
        stamp = {"month": pl.lit(month), "source": pl.lit(source), "load_id": pl.lit(load_id)}
        _copy(cur, "finops.fact_consumption", FACT_COLUMNS, facts.with_columns(**stamp))
        _copy(cur, "finops.rejected_row", REJECT_COLUMNS, rejects.with_columns(**stamp))
        cur.execute(
            "CREATE TEMP TABLE staged_product (product_code text, product_name text, family_code text,"
            " family_name text, unit text, is_monetary boolean) ON COMMIT DROP"
        )
        cur.execute("CREATE TEMP TABLE staged_application (application_code text) ON COMMIT DROP")
        _copy(cur, "staged_product", PRODUCT_COLUMNS, products)
        _copy(cur, "staged_application", ("application_code",), applications)
        for statement in sql_statements("batch/register_referentials.sql"):
            cur.execute(statement)
        if not same_facts:  # the month's allocation, valuation and roll-ups stand as they are
            record_load(cur, month)  # last: the month's row is locked only until the commit
        cur.execute(
            "UPDATE finops.load_audit SET finished_at = clock_timestamp() WHERE load_id = %s", [load_id]
        )
    if replaced:
        vacuum_month_partitions(mart, ("fact_consumption",), month)
    return LoadResult(load_id, rows_read, rows_loaded, rows_rejected, facts.height, rows_filtered)
