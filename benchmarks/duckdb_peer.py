"""The peer a user would pick instead of the mart: DuckDB over the benchmark's raw FOCUS Parquet.

The same dashboard questions, under the `actual` view (the source's EffectiveCost in its billing
currency, applications from the `application` tag, `unallocated` without one), answered from the
month files with no pre-aggregation, and checked against the API's answers to the last decimal.
Simulations and the budget view are the mart's own (adjustments, a rate card): DuckDB would have
to be taught them, so only the questions the raw files can answer are compared.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from finops_core.months import add_months, format_month

Answer = dict[tuple[str, ...], tuple[Decimal | None, ...]]
"""Group keys (currency last) -> the amounts (cost; for a comparison cost and against_cost)."""

_LINES = """
CREATE VIEW lines AS
SELECT strftime(CAST(BillingPeriodStart AS TIMESTAMP), '%Y-%m') AS month,
       upper(BillingCurrency) AS currency,
       coalesce(nullif(trim(json_extract_string(Tags, '$.application')), ''), 'unallocated')
           AS application,
       EffectiveCost AS cost
  FROM read_parquet([{files}])
"""
_NARROW = "CREATE TABLE narrow AS SELECT * FROM lines"
"""The lines' four columns in DuckDB's own columnar table, in memory: the peer at its fastest,
without reading Parquet or its JSON tags per question."""


@dataclass(frozen=True)
class Question:
    label: str
    path: str
    params: dict[str, str]
    keys: tuple[str, ...]
    """The answer's group keys as the API names them, currency last."""
    sql: str
    """Parameters $first and $last (the range), $application where the question names one, and
    $before (the month before) for a comparison."""
    amounts: tuple[str, ...] = ("cost",)


@dataclass(frozen=True)
class PeerTiming:
    question: Question
    rows: int
    api_ms: float
    duckdb_ms: float
    agrees: bool
    totals_agree: bool
    narrow_ms: float
    """DuckDB over the narrow table."""
    api_first_ms: float
    """The API's first answer (read from the mart; the others may be answers it kept)."""


def questions(first: date, last: date, application: str) -> list[Question]:
    year = {"from": format_month(first), "to": format_month(last)}
    quarter = {"from": format_month(add_months(last, -2)), "to": format_month(last)}
    in_range = "WHERE month BETWEEN $first AND $last"
    return [
        Question(
            "total by currency, the year",
            "/api/v1/costs",
            {"view": "actual", "group_by": "currency", **year},
            ("currency",),
            f"SELECT currency, sum(cost) FROM lines {in_range} GROUP BY ALL",
        ),
        Question(
            "by month (the overview's totals)",
            "/api/v1/costs",
            {"view": "actual", "group_by": "month", **year},
            ("month", "currency"),
            f"SELECT month, currency, sum(cost) FROM lines {in_range} GROUP BY ALL",
        ),
        Question(
            "by application, a quarter (mapped vs unallocated)",
            "/api/v1/costs",
            {"view": "actual", "group_by": "application", **quarter},
            ("application", "currency"),
            f"SELECT application, currency, sum(cost) FROM lines {in_range} GROUP BY ALL",
        ),
        Question(
            "an application by month",
            "/api/v1/costs",
            {"view": "actual", "group_by": "month", "application": application, **year},
            ("month", "currency"),
            f"SELECT month, currency, sum(cost) FROM lines {in_range}"
            " AND application = $application GROUP BY ALL",
        ),
        Question(
            "compare the last month with the one before, by application (the movers)",
            "/api/v1/costs/compare",
            {
                "view": "actual",
                "against_period": "previous_month",
                "group_by": "application",
                "from": format_month(last),
                "to": format_month(last),
            },
            ("application", "currency"),
            """
            WITH now AS (SELECT application, currency, sum(cost) AS cost FROM lines
                          WHERE month = $last GROUP BY ALL),
                 before AS (SELECT application, currency, sum(cost) AS cost FROM lines
                             WHERE month = $before GROUP BY ALL)
            SELECT application, currency, now.cost, before.cost
              FROM now FULL JOIN before USING (application, currency)
            """,
            ("cost", "against_cost"),
        ),
    ]


def api_answer(question: Question, rows: Iterable[dict[str, Any]]) -> Answer:
    return {
        tuple(str(row[key]) for key in question.keys): tuple(
            None if row[amount] is None else Decimal(row[amount]) for amount in question.amounts
        )
        for row in rows
    }


def _sql_parameters(question: Question) -> dict[str, str]:
    if "against_period" in question.params:
        year, month = map(int, question.params["to"].split("-"))
        return {"last": question.params["to"], "before": format_month(add_months(date(year, month, 1), -1))}
    parameters = {"first": question.params["from"], "last": question.params["to"]}
    if "application" in question.params:
        parameters["application"] = question.params["application"]
    if "currency" in question.params:
        parameters["currency"] = question.params["currency"]
    # DuckDB refuses a parameter the statement does not use
    return {name: value for name, value in parameters.items() if f"${name}" in question.sql}


def duckdb_answer(conn: duckdb.DuckDBPyConnection, question: Question, table: str = "lines") -> Answer:
    """table: lines (the Parquet files) or narrow (the same rows in a DuckDB table)."""
    result = conn.execute(
        question.sql.replace("FROM lines", f"FROM {table}"), _sql_parameters(question)
    ).fetchall()
    width = len(question.keys)
    return {tuple(str(value) for value in row[:width]): tuple(row[width:]) for row in result}


def totals(answer: Answer) -> dict[str, Decimal]:
    """The sum of the first amount per currency: what a dashboard's headline shows."""
    sums: dict[str, Decimal] = {}
    for key, amounts in answer.items():
        sums[key[-1]] = sums.get(key[-1], Decimal(0)) + (amounts[0] or Decimal(0))
    return sums


def connect(files: Sequence[Path]) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    # DDL takes no parameters: the file names go in as SQL string literals
    quoted = ", ".join("'" + str(path).replace("'", "''") + "'" for path in files)
    conn.execute(_LINES.format(files=quoted))
    conn.execute(_NARROW)
    return conn


def compare_with_api(
    files: Sequence[Path],
    asked: Sequence[Question],
    api_get: Callable[[Question], tuple[list[dict[str, Any]], float]],
    requests: int,
) -> list[PeerTiming]:
    """Each question `requests` times from the API (api_get: its rows and the seconds it took)
    and from DuckDB, over the files and over the narrow table; the median of each and whether
    the answers agree (all three)."""
    conn = connect(files)
    timings = []
    for question in asked:
        api_seconds, duckdb_seconds, narrow_seconds = [], [], []
        rows: list[dict[str, Any]] = []
        peer: Answer = {}
        narrow: Answer = {}
        for _ in range(requests):
            rows, seconds = api_get(question)
            api_seconds.append(seconds)
            started = time.perf_counter()
            peer = duckdb_answer(conn, question)
            duckdb_seconds.append(time.perf_counter() - started)
            started = time.perf_counter()
            narrow = duckdb_answer(conn, question, "narrow")
            narrow_seconds.append(time.perf_counter() - started)
        ours = api_answer(question, rows)
        timings.append(
            PeerTiming(
                question,
                len(rows),
                statistics.median(api_seconds) * 1000,
                statistics.median(duckdb_seconds) * 1000,
                ours == peer == narrow,
                totals(ours) == totals(peer) == totals(narrow),
                statistics.median(narrow_seconds) * 1000,
                api_seconds[0] * 1000,
            )
        )
    conn.close()
    return timings
