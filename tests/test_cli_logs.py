"""What a CLI run logged as warnings, read back from its instance: Dagster's console runs at
CRITICAL under the CLI (finops_cli/report.py). No `from __future__ import annotations` here:
Dagster reads the asset's context annotation as a type, not as a string."""

from dagster import AssetExecutionContext, DagsterInstance, asset, materialize

from finops_cli.report import logged_warnings


@asset
def noisy(context: AssetExecutionContext) -> None:
    context.log.info("an info")
    context.log.warning("a rule names a product the mart never knew")
    context.log.error("an error the report says on its own")


def test_the_warnings_a_run_logged_are_read_back_without_dagster_s_errors() -> None:
    instance = DagsterInstance.ephemeral()
    run_config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    result = materialize([noisy], instance=instance, run_config=run_config)
    assert logged_warnings(instance, result.run_id) == ["noisy: a rule names a product the mart never knew"]
