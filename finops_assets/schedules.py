"""Bills settle late: the current and the previous month are re-materialized every day."""

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

refresh_job = define_asset_job("refresh_months", selection=AssetSelection.all())


def daily_refresh_schedule(partitions: MonthlyPartitionsDefinition) -> ScheduleDefinition:
    @schedule(
        job=refresh_job,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,  # running once the daemon runs: no manual step
    )
    def daily_month_refresh(context: ScheduleEvaluationContext):  # type: ignore[no-untyped-def]
        keys = partitions.get_partition_keys(current_time=context.scheduled_execution_time)
        for key in keys[-2:]:
            yield RunRequest(run_key=f"{key}@{context.scheduled_execution_time:%Y-%m-%d}", partition_key=key)

    return daily_month_refresh
