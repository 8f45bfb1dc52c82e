"""The month from which a referential run's changes take effect: the run's, not the clock's."""

from __future__ import annotations

from datetime import date, datetime

from dagster import AssetExecutionContext

from finops_assets.referentials.declared_months import declared_month

EFFECTIVE_MONTH_TAG = "finops/effective_month"


def effective_month(context: AssetExecutionContext) -> date:
    """The run's `finops/effective_month` tag (YYYY-MM; the referentials' schedule sets it to its
    tick's month), else the month the run was created in (a launch from the UI or the CLI). A
    retry or a re-execution late on the last day of a month applies what the first attempt did."""
    tag = context.run.tags.get(EFFECTIVE_MONTH_TAG)
    if tag:
        return declared_month(tag, f"run tag {EFFECTIVE_MONTH_TAG}")
    record = context.instance.get_run_record_by_id(context.run.run_id)
    if record is None:  # every launched run has its record; only a bare op invocation has none
        raise RuntimeError(f"run {context.run.run_id} has no record and no {EFFECTIVE_MONTH_TAG} tag")
    created: datetime = record.create_timestamp
    return created.date().replace(day=1)
