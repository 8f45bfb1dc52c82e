"""One job per concern, each with its own trigger.

- `month_assets`: the sources' and the mart's month partitions. Bills settle late: the current
  and the previous month are re-materialized every day at 06:00 UTC (and a new file runs its
  month at once: sensors.py).
- `referentials`: catalog, pricing, allocation rules, Backstage sync, every day at 05:00 UTC,
  before the months; their changes take effect from the month of the tick (run tag)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    MonthlyPartitionsDefinition,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

if TYPE_CHECKING:  # what define_asset_job returns; dagster does not export its name
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from finops_assets.referentials.effective_month import EFFECTIVE_MONTH_TAG

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
    )
    def daily_month_refresh(context: ScheduleEvaluationContext):  # type: ignore[no-untyped-def]
        keys = partitions.get_partition_keys(current_time=context.scheduled_execution_time)
        for key in keys[-2:]:
            yield RunRequest(run_key=f"{key}@{context.scheduled_execution_time:%Y-%m-%d}", partition_key=key)

    return daily_month_refresh


def daily_referentials_schedule(job: UnresolvedAssetJobDefinition) -> ScheduleDefinition:
    @schedule(
        job=job,
        cron_schedule="0 5 * * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
    )
    def daily_referentials(context: ScheduleEvaluationContext) -> RunRequest:
        tick = context.scheduled_execution_time
        return RunRequest(run_key=f"{tick:%Y-%m-%d}", tags={EFFECTIVE_MONTH_TAG: f"{tick:%Y-%m}"})

    return daily_referentials
