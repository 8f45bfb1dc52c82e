"""One job per concern, each with its own trigger.

- `month_assets`: the sources' and the mart's month partitions. Bills settle late: the current
  and the previous month are re-materialized every day at 06:00 UTC (and a new file runs its
  month at once: sensors.py).
- `referentials`: catalog, pricing, allocation rules, Backstage sync, every day at 05:00 UTC,
  before the months; their changes take effect from the month of the tick (run tag)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    MonthlyPartitionsDefinition,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    define_asset_job,
    schedule,
)

if TYPE_CHECKING:  # what define_asset_job returns; dagster does not export its name
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from finops_assets.referentials.effective_month import EFFECTIVE_MONTH_TAG
from finops_core.months import add_months, format_month

REFERENTIALS_GROUP = "referentials"


def month_job() -> UnresolvedAssetJobDefinition:
    """Partitioned by billing month, as the assets it selects are."""
    return define_asset_job(
        "month_assets",
        selection=AssetSelection.all() - AssetSelection.groups(REFERENTIALS_GROUP),
        description="A billing month of every source, its allocation, valuation and read models, "
        "with their checks",
    )


def referentials_job() -> UnresolvedAssetJobDefinition:
    return define_asset_job(
        "referentials",
        selection=AssetSelection.groups(REFERENTIALS_GROUP),
        description="The catalog, pricing, allocation rules and Backstage sync, applied from the "
        f"month of the run's {EFFECTIVE_MONTH_TAG} tag (else the month the run was created)",
    )


def daily_refresh_schedule(
    job: UnresolvedAssetJobDefinition, partitions: MonthlyPartitionsDefinition
) -> ScheduleDefinition:
    @schedule(
        job=job,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,  # running once the daemon runs: no manual step
        description="The current and the previous month, every day at 06:00 UTC (bills settle "
        "late); none once end_month closes the history before them",
    )
    def daily_month_refresh(context: ScheduleEvaluationContext) -> list[RunRequest] | SkipReason:
        tick = context.scheduled_execution_time
        previous = add_months(date(tick.year, tick.month, 1), -1)
        keys = partitions.get_partition_keys(current_time=tick)
        # a closed history's last months settled long ago: asked for again every day, forever
        recent = [key for key in keys[-2:] if date.fromisoformat(key) >= previous]
        if not recent:
            return SkipReason(f"end_month closes the partitions before {format_month(previous)}")
        return [RunRequest(run_key=f"{key}@{tick:%Y-%m-%d}", partition_key=key) for key in recent]

    return daily_month_refresh


def daily_referentials_schedule(job: UnresolvedAssetJobDefinition) -> ScheduleDefinition:
    @schedule(
        job=job,
        cron_schedule="0 5 * * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description="The catalog, pricing, allocation rules and Backstage sync, every day at 05:00 "
        "UTC, before the months, effective from the month of the tick",
    )
    def daily_referentials(context: ScheduleEvaluationContext) -> RunRequest:
        tick = context.scheduled_execution_time
        return RunRequest(run_key=f"{tick:%Y-%m-%d}", tags={EFFECTIVE_MONTH_TAG: f"{tick:%Y-%m}"})

    return daily_referentials
