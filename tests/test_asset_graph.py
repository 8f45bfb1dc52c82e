"""A snapshot of the asset graph: what each source adds and what depends on what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from dagster import (
    AssetKey,
    DefaultScheduleStatus,
    Definitions,
    MonthlyPartitionsDefinition,
    ScheduleDefinition,
    build_schedule_context,
)

from finops_assets.graph import build_definitions
from finops_assets.partitions import monthly_partitions, partition_range
from finops_core.config import PlatformConfig, SourceConfig


def test_asset_graph_snapshot() -> None:
    config = PlatformConfig(
        start_month="2025-01",
        sources=[
            SourceConfig(name="aws", kind="focus", path="a"),
            SourceConfig(name="azure", kind="focus", path="b"),
        ],
        catalog="catalog",
        pricing="pricing",
        allocation="allocation",
        base_dir=Path("."),
    )
    defs: Definitions = build_definitions(config)
    graph = defs.resolve_asset_graph()
    edges = {
        key.to_user_string(): sorted(p.to_user_string() for p in graph.get(key).parent_keys)
        for key in graph.get_all_asset_keys()
    }
    assert edges == {
        "aws/billing_lines": [],
        "aws/consumption": ["aws/billing_lines"],
        "azure/billing_lines": [],
        "azure/consumption": ["azure/billing_lines"],
        "referentials/catalog": [],
        "referentials/pricing": [],
        "referentials/allocation": [],
        "mart/allocation": [
            "aws/consumption", "azure/consumption", "referentials/allocation", "referentials/catalog",
            "referentials/pricing",
        ],
        "mart/valuation": ["mart/allocation"],
        "mart/cost_views": ["mart/valuation"],
    }  # fmt: skip
    checks = sorted(f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys)
    assert checks == [
        "aws/billing_lines:no_delivery",
        "aws/consumption:conservation",
        "aws/consumption:mapping_coverage",
        "aws/consumption:nothing_lost",
        "aws/consumption:rejected_share",
        "azure/billing_lines:no_delivery",
        "azure/consumption:conservation",
        "azure/consumption:mapping_coverage",
        "azure/consumption:nothing_lost",
        "azure/consumption:rejected_share",
        "mart/allocation:allocation_conservation",
        "mart/valuation:actual_equals_consumption",
        "mart/valuation:price_coverage",
    ]
    partitions = graph.get(AssetKey(["mart", "valuation"])).partitions_def
    assert isinstance(partitions, MonthlyPartitionsDefinition)
    assert partitions.get_first_partition_key() == "2025-01-01"
    pools = {key.to_user_string(): graph.get(key).pools for key in graph.get_all_asset_keys()}
    assert pools == {
        "aws/billing_lines": {"source/aws"},
        "aws/consumption": {"mart_load"},
        "azure/billing_lines": {"source/azure"},
        "azure/consumption": {"mart_load"},
        "referentials/catalog": set(),
        "referentials/pricing": set(),
        "referentials/allocation": set(),
        "mart/allocation": set(),
        "mart/valuation": set(),
        "mart/cost_views": set(),
    }
    blocking = sorted(
        f"{key.asset_key.to_user_string()}:{key.name}"
        for key in graph.asset_check_keys
        if graph.get(key).blocking
    )
    assert blocking == [
        "aws/consumption:conservation",
        "aws/consumption:nothing_lost",
        "azure/consumption:conservation",
        "azure/consumption:nothing_lost",
        "mart/allocation:allocation_conservation",
        "mart/valuation:actual_equals_consumption",
    ]
    assert [s.name for s in defs.schedules or []] == ["daily_month_refresh", "daily_referentials"]
    assert [s.name for s in defs.sensors or []] == ["new_delivery"]
    month_job = defs.resolve_job_def("month_assets")
    assert sorted(month_job.graph.node_names()) == [
        "aws__billing_lines", "aws__billing_lines_no_delivery", "aws__consumption",
        "aws__consumption_conservation", "aws__consumption_mapping_coverage", "aws__consumption_nothing_lost",
        "aws__consumption_rejected_share", "azure__billing_lines", "azure__billing_lines_no_delivery",
        "azure__consumption", "azure__consumption_conservation", "azure__consumption_mapping_coverage",
        "azure__consumption_nothing_lost", "azure__consumption_rejected_share", "mart__allocation",
        "mart__allocation_allocation_conservation", "mart__cost_views", "mart__valuation",
        "mart__valuation_actual_equals_consumption", "mart__valuation_price_coverage",
    ]  # fmt: skip
    referentials = defs.resolve_job_def("referentials")
    assert sorted(referentials.graph.node_names()) == [
        "referentials__allocation", "referentials__catalog", "referentials__pricing",
    ]  # fmt: skip


def test_the_daily_schedule_runs_by_default_and_asks_for_the_current_and_previous_month() -> None:
    config = PlatformConfig(start_month="2024-01", sources=[])
    defs = build_definitions(config)
    (schedule,) = defs.schedules or []  # no referential configured: no referentials job
    assert isinstance(schedule, ScheduleDefinition)
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    tick = build_schedule_context(
        scheduled_execution_time=datetime(2025, 3, 15, 6, 0, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    requests = list(schedule.evaluate_tick(tick).run_requests or [])
    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("2025-02-01", "2025-02-01@2025-03-15"),
        ("2025-03-01", "2025-03-01@2025-03-15"),
    ]


def test_the_daily_schedule_asks_for_no_month_of_a_closed_history() -> None:
    # 2025-11 and 2025-12 were asked for again every day, a year after they settled
    defs = build_definitions(PlatformConfig(start_month="2025-01", end_month="2025-12", sources=[]))
    (schedule,) = defs.schedules or []
    assert isinstance(schedule, ScheduleDefinition)
    assert schedule.description is not None and "end_month" in schedule.description

    def asked(tick: datetime) -> list[str | None]:
        context = build_schedule_context(
            scheduled_execution_time=tick, repository_def=defs.get_repository_def()
        )
        return [r.partition_key for r in schedule.evaluate_tick(context).run_requests or []]

    assert asked(datetime(2026, 12, 7, 6, 0, tzinfo=UTC)) == []
    assert asked(datetime(2026, 1, 7, 6, 0, tzinfo=UTC)) == ["2025-12-01"]  # the previous month settles


def test_end_month_closes_the_partitions() -> None:
    config = PlatformConfig(start_month="2025-01", end_month="2025-12", sources=[])
    partitions = monthly_partitions(config)
    keys = partitions.get_partition_keys(current_time=datetime(2026, 12, 1, tzinfo=UTC))
    assert (keys[0], keys[-1], len(keys)) == ("2025-01-01", "2025-12-01", 12)


def test_an_end_month_still_to_come_keeps_the_current_month_a_partition() -> None:
    """The sensor runs a new file's month only when it is a partition: with an end_month in the
    future, the current month (month-to-date) must be one, as without an end_month, and the
    CLI's range (partition_range) must say the same."""
    config = PlatformConfig(start_month="2025-01", end_month="2027-06", sources=[])
    keys = monthly_partitions(config).get_partition_keys(current_time=datetime(2026, 12, 7, tzinfo=UTC))
    assert (keys[0], keys[-1], len(keys)) == ("2025-01-01", "2026-12-01", 24)
    assert partition_range(config, today=date(2026, 12, 7)) == (date(2025, 1, 1), date(2026, 12, 1))
    assert partition_range(config, today=date(2027, 9, 2)) == (date(2025, 1, 1), date(2027, 6, 1))


def test_runs_from_the_ui_execute_their_steps_in_one_process() -> None:
    defs = build_definitions(PlatformConfig(start_month="2025-01", sources=[]))
    job = defs.resolve_job_def("month_assets")
    assert job.executor_def.name == "in_process"
