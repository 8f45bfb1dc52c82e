"""Issue 14, item 5: months backfilled in parallel (`finops materialize --parallel`), each a real
Dagster run in a worker process, give the mart the serial backfill gives, record the same
publication marks, hold a bad delivery the same way, and respect the instance's pools."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from finops_assets.demo.workspace import write_workspace
from finops_assets.sources.assets import LOAD_POOL, source_pool
from finops_cli.commands import run_months
from finops_cli.dagster_home import write_dagster_home
from finops_cli.parallel import POLARS_THREADS, worker_pool
from finops_cli.report import Outcome
from finops_core.config import load_config
from finops_core.database import as_url
from tests.conftest import _create, _drop
from tests.pipeline import mart_snapshot, query

MONTHS = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
SOURCES = ["cloud", "private_cloud", "licences", "ci"]
PUBLICATION = (
    "SELECT month, consumption_version, allocation_version, valuation_version, cost_views_version"
    " FROM finops.month_publication ORDER BY month"
)
AUDIT = (
    "SELECT source, month, status, rows_read, rows_loaded, rows_rejected, source_cost, reason"
    " FROM finops.load_audit ORDER BY source, month, load_id"
)


@pytest.fixture
def second_mart(admin_url: str, migrated_template: str) -> Iterator[str]:
    name = f"finops_test_{uuid.uuid4().hex[:12]}"
    yield _create(admin_url, name, template=migrated_template)
    _drop(admin_url, name)


def _step_spans(instance: DagsterInstance, step_key: str) -> list[tuple[float, float]]:
    """(start, end) of the step in each run of the instance, each run's step ended."""
    spans = []
    for run in instance.get_runs():
        events = instance.all_logs(
            run.run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS}
        )
        times = [e.timestamp for e in events if e.step_key == step_key]
        assert len(times) == 2, (run.run_id, step_key, times)
        spans.append((min(times), max(times)))
    return sorted(spans)


def test_months_in_parallel_give_the_serial_mart_within_the_pools(
    mart_url: str,
    second_mart: str,
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load_config(write_workspace(tmp_path / "demo", len(MONTHS), 300).config_path)

    # serial, in memory (no DAGSTER_HOME), into the first mart
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "serial"))
    assert run_months(config, mart_url, MONTHS, None, strict=False) == Outcome.OK

    # three at once, recorded in an instance whose pools allow two steps at a time, and the
    # cloud's ingest one (set by hand, as `dagster instance concurrency set source/cloud 1`)
    home = write_dagster_home(tmp_path / "dagster", max_concurrent_runs=3, pool_limit=2)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("FINOPS_DAGSTER_STORAGE_URL", as_url(empty_database_url))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "parallel"))
    with DagsterInstance.get() as instance:
        instance.event_log_storage.set_concurrency_slots(source_pool("cloud"), 1)
    assert run_months(config, second_mart, MONTHS, None, strict=False, parallel=3) == Outcome.OK

    serial = mart_snapshot(mart_url)
    assert mart_snapshot(second_mart) == serial
    assert sorted({row[0] for row in serial["cost_by_product"]}) == MONTHS
    # each month loaded once per source, then allocated, valued and published from those loads
    marks = [(month, 4, 4, 4, 4) for month in MONTHS]
    assert query(mart_url, PUBLICATION) == query(second_mart, PUBLICATION) == marks

    with DagsterInstance.get() as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 2
        runs = instance.get_runs()
        assert sorted(r.tags["dagster/partition"] for r in runs) == [m.isoformat() for m in MONTHS]
        assert {r.status for r in runs} == {DagsterRunStatus.SUCCESS}
        # each month in a worker process of its own, none in this one
        events = [e.dagster_event for r in runs for e in instance.all_logs(r.run_id) if e.dagster_event]
        pids = {event.pid for event in events if event.pid is not None}
        assert len(pids) == 3 and os.getpid() not in pids
        # the pools exist with their limits, all slots free again
        limits = {pool: 2 for pool in [*(source_pool(name) for name in SOURCES), LOAD_POOL]}
        limits[source_pool("cloud")] = 1
        for pool, limit in limits.items():
            info = instance.event_log_storage.get_concurrency_info(pool)
            assert (info.slot_count, info.active_slot_count) == (limit, 0), pool
        # every run's cloud ingest ran, and gave its slot back (above). Not asserted: that no
        # two ran at once. Dagster 1.13 claims a slot on PostgreSQL in two autocommitted
        # statements (SELECT ... FOR UPDATE, then UPDATE), so two claims within milliseconds can
        # both win (README, "Parallel backfills")
        assert len(_step_spans(instance, "cloud__billing_lines")) == len(MONTHS)

    # a bad re-delivery of February is held in parallel as in turn: February's cloud run fails,
    # its other sources and March are re-run, and both marts stay as they were, marks included
    february = tmp_path / "demo" / "focus" / "focus_2025-02.parquet"
    pl.read_parquet(february).head(0).write_parquet(february)
    assert run_months(config, second_mart, MONTHS[1:], None, strict=False, parallel=2) == Outcome.FAILED
    monkeypatch.delenv("DAGSTER_HOME")
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "serial"))
    assert run_months(config, mart_url, MONTHS[1:], None, strict=False) == Outcome.FAILED
    assert mart_snapshot(second_mart) == mart_snapshot(mart_url) == serial
    assert query(second_mart, PUBLICATION) == query(mart_url, PUBLICATION)
    assert query(second_mart, AUDIT) == query(mart_url, AUDIT)
    assert query(second_mart, "SELECT status, count(*) FROM finops.load_audit GROUP BY 1 ORDER BY 1") == [
        ("held", 1),
        ("loaded", 12 + 4 + 3),
    ]


def test_the_cli_refuses_a_parallel_of_zero(capsys: pytest.CaptureFixture[str]) -> None:
    from finops_cli.main import main

    assert main(["materialize", "--from", "2025-01", "--to", "2025-03", "--parallel", "0"]) == 2
    assert "argument --parallel: '0' is not a whole number of at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(("workers", "asked", "threads"), [(2, None, 1), (1, None, 2), (2, "2", 2)])
def test_each_worker_s_polars_pool_is_its_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch, workers: int, asked: str | None, threads: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})  # two cores, as CI's machine
    if asked is None:
        monkeypatch.delenv(POLARS_THREADS, raising=False)
    else:
        monkeypatch.setenv(POLARS_THREADS, asked)  # the operator's choice is kept

    with worker_pool(workers) as pool:
        sizes = {pool.submit(pl.thread_pool_size).result() for _ in range(2 * workers)}

    assert sizes == {threads}
