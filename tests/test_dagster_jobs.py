"""One job per concern, and what triggers each: the referentials' schedule and the month they
take effect from, the new-delivery sensor, and the connections a month's run opens."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from dagster import (
    DagsterInstance,
    RunRequest,
    SensorDefinition,
    build_schedule_context,
    build_sensor_context,
)
from dagster._core.run_coordinator import QueuedRunCoordinator

from finops_assets import sensors
from finops_assets.graph import build_definitions
from finops_assets.materialize import materialize_month
from finops_assets.referentials.effective_month import EFFECTIVE_MONTH_TAG
from finops_assets.resources import MartResource
from finops_cli.dagster_home import write_dagster_home
from finops_core.config import PlatformConfig
from finops_core.database import as_url
from tests.pipeline import focus_source
from tests.test_catalog import EC2, declare, versions
from tests.test_month_loads import line, write_csv

PRODUCTS = f"  - {{code: '{EC2}', name: EC2, family: compute, unit: Hours}}\n"


def _config(tmp_path: Path) -> PlatformConfig:
    declare(tmp_path / "catalog", PRODUCTS)
    return PlatformConfig(
        start_month="2025-01",
        end_month="2025-12",
        sources=[focus_source("aws", tmp_path / "aws")],
        catalog=str(tmp_path / "catalog"),
        base_dir=tmp_path,
    )


def test_the_referentials_run_on_their_own_schedule_from_the_month_of_the_tick(
    mart_url: str, tmp_path: Path
) -> None:
    defs = build_definitions(_config(tmp_path), MartResource(database_url=mart_url))
    schedule = defs.get_schedule_def("daily_referentials")
    tick = build_schedule_context(scheduled_execution_time=datetime(2025, 4, 30, 5, 0, tzinfo=UTC))
    [request] = schedule.evaluate_tick(tick).run_requests or []
    assert (request.run_key, request.tags[EFFECTIVE_MONTH_TAG]) == ("2025-04-30", "2025-04")

    # the run applies the catalog as of April, whenever it executes (today is not April 2025)
    job = defs.resolve_job_def("referentials")
    result = job.execute_in_process(tags={EFFECTIVE_MONTH_TAG: request.tags[EFFECTIVE_MONTH_TAG]})
    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["effective_month"].value == "2025-04"
    # a rename applied by June's tick versions the product from June
    declare(tmp_path / "catalog", PRODUCTS.replace("name: EC2", "name: EC2 v2"))
    job.execute_in_process(tags={EFFECTIVE_MONTH_TAG: "2025-06"})
    assert versions(mart_url, EC2) == [
        (date(1900, 1, 1), date(2025, 6, 1), "EC2", "compute", True, False),
        (date(2025, 6, 1), None, "EC2 v2", "compute", True, False),
    ]


def test_a_referential_run_without_the_tag_takes_the_month_the_run_was_created_in(
    mart_url: str, tmp_path: Path
) -> None:
    defs = build_definitions(_config(tmp_path), MartResource(database_url=mart_url))
    instance = DagsterInstance.ephemeral()
    result = defs.resolve_job_def("referentials").execute_in_process(instance=instance)
    record = instance.get_run_record_by_id(result.run_id)
    assert record is not None
    created = record.create_timestamp.date().replace(day=1)
    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["effective_month"].value == f"{created:%Y-%m}"


def test_a_new_file_runs_its_months_and_a_known_one_nothing(mart_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path)
    write_csv(tmp_path / "aws" / "jan.csv", [line(date(2025, 1, 1), "1.00")])
    defs = build_definitions(config)
    sensor = defs.get_sensor_def("new_delivery")
    assert isinstance(sensor, SensorDefinition)

    def evaluate(cursor: str | None) -> tuple[list[tuple[str | None, str | None]], str | None]:
        """The partitions asked for, with the job the sensor targets, and the next cursor."""
        result = sensor.evaluate_tick(build_sensor_context(cursor=cursor, definitions=defs))
        runs = [(r.partition_key, sensor.job_name) for r in result.run_requests or []]
        assert all(isinstance(r, RunRequest) for r in result.run_requests or [])
        return runs, result.cursor

    runs, cursor = evaluate(None)  # the first evaluation records what is there
    assert runs == []
    write_csv(
        tmp_path / "aws" / "spring.csv",
        [line(date(2025, 3, 1), "1.00"), line(date(2025, 4, 1), "2.00"), line(date(2026, 1, 1), "3.00")],
    )
    runs, cursor = evaluate(cursor)
    # 2026-01 is past end_month: no partition, no run
    assert runs == [("2025-03-01", "month_assets"), ("2025-04-01", "month_assets")]
    assert evaluate(cursor)[0] == []

    # a damaged file is passed over: it made every tick fail, for every source and month
    (tmp_path / "aws" / "broken.parquet").write_bytes(b"PAR1 cut short")
    write_csv(tmp_path / "aws" / "may.csv", [line(date(2025, 5, 1), "1.00")])
    runs, cursor = evaluate(cursor)
    assert runs == [("2025-05-01", "month_assets")]
    assert str(tmp_path / "aws" / "broken.parquet") in json.loads(cursor or "{}")  # read again once changed

    # a share that blinks: its files are remembered, so none is new once it is back (each was,
    # and every month of the source ran again)
    (tmp_path / "aws").rename(tmp_path / "away")
    runs, blinked = evaluate(cursor)
    assert (runs, blinked) == ([], cursor)
    (tmp_path / "away").rename(tmp_path / "aws")
    assert evaluate(blinked) == ([], cursor)


def test_a_file_the_share_fails_to_read_is_read_at_the_next_tick(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An I/O error of the share on one file (the share is what is external here, its error
    stood in for): the file keeps its previous stamp, or none when it is new, so that the next
    tick reads it; it was recorded as read, and its months never ran."""
    config = _config(tmp_path)
    known = write_csv(tmp_path / "aws" / "jan.csv", [line(date(2025, 1, 1), "1.00")])
    defs = build_definitions(config)
    sensor = defs.get_sensor_def("new_delivery")
    assert isinstance(sensor, SensorDefinition)

    def evaluate(cursor: str | None) -> tuple[list[str | None], str | None]:
        result = sensor.evaluate_tick(build_sensor_context(cursor=cursor, definitions=defs))
        return [r.partition_key for r in result.run_requests or []], result.cursor

    first = evaluate(None)[1]
    write_csv(known, [line(date(2025, 1, 1), "1.50")])  # corrected: January again
    fresh = write_csv(tmp_path / "aws" / "feb.csv", [line(date(2025, 2, 1), "2.00")])
    months = sensors.file_months
    failing = {str(known), str(fresh)}

    def share(source: Any, path: Path) -> set[str]:
        if str(path) in failing:
            raise OSError(5, "Input/output error", str(path))
        return months(source, path)

    monkeypatch.setattr(sensors, "file_months", share)
    runs, cursor = evaluate(first)
    assert runs == []
    stamps = json.loads(cursor or "{}")
    assert stamps[str(known)] == json.loads(first or "{}")[str(known)]  # as it was known
    assert str(fresh) not in stamps
    failing.clear()  # the share answers again
    assert evaluate(cursor)[0] == ["2025-01-01", "2025-02-01"]


def test_a_month_run_opens_two_connections_to_the_mart(mart_url: str, tmp_path: Path) -> None:
    """The migration check and the run's pool of one: every step and check borrows it. Counted
    by the server (sessions started on the database), from one session open throughout."""
    config = _config(tmp_path)
    write_csv(tmp_path / "aws" / "jan.csv", [line(date(2025, 1, 1), "1.00")])
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    with psycopg.connect(mart_url, autocommit=True) as monitor:
        before = _sessions(monitor)
        result = materialize_month(config, date(2025, 1, 1), mart)
        assert result.success
        # a session ending reports itself a moment after its client left: wait for it, then a
        # while longer for any late one
        deadline = time.monotonic() + 5
        while _sessions(monitor) - before < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)
        assert _sessions(monitor) - before == 2


def _sessions(monitor: psycopg.Connection[Any]) -> int:
    monitor.execute("SELECT pg_stat_force_next_flush()")  # this session's own counts first
    monitor.execute("SELECT pg_stat_clear_snapshot()")
    row = monitor.execute(
        "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_the_demo_instance_runs_one_month_at_a_time_per_core(tmp_path: Path) -> None:
    home = write_dagster_home(tmp_path / "dagster")
    settings = yaml.safe_load((home / "dagster.yaml").read_text())
    assert settings["concurrency"]["runs"]["max_concurrent_runs"] == len(os.sched_getaffinity(0))
    # two steps at once per pool (each source's ingest, the mart's loads), across runs
    assert settings["concurrency"]["pools"] == {"default_limit": 2, "granularity": "op"}
    pools = yaml.safe_load((write_dagster_home(tmp_path / "pools", 2, 3) / "dagster.yaml").read_text())
    assert pools["concurrency"] == {
        "runs": {"max_concurrent_runs": 2},
        "pools": {"default_limit": 3, "granularity": "op"},
    }
    assert settings["storage"] == {"postgres": {"postgres_url": {"env": "FINOPS_DAGSTER_STORAGE_URL"}}}
    assert (home / ".nux" / "nux.yaml").read_text() == "seen: 1\n"
    assert (
        write_dagster_home(tmp_path / "one", 1)
        and "max_concurrent_runs: 1" in (tmp_path / "one" / "dagster.yaml").read_text()
    )


def test_the_demo_instance_polls_its_run_queue_every_second_within_its_limit(
    tmp_path: Path, empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster builds the instance `finops demo` writes: its queue (`run_queue`) and its limit
    (`concurrency`) are two sections that Dagster refuses to see overlap; both take effect."""
    monkeypatch.setenv("DAGSTER_HOME", str(write_dagster_home(tmp_path / "dagster", 3)))
    monkeypatch.setenv("FINOPS_DAGSTER_STORAGE_URL", as_url(empty_database_url))
    with DagsterInstance.get() as instance:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.run_coordinator.dequeue_interval_seconds == 1
        run_queue = instance.get_concurrency_config().run_queue_config
        assert run_queue is not None and run_queue.max_concurrent_runs == 3
