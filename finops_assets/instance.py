"""Which Dagster instance records a run launched outside the UI (the CLI, the demo's load).

An instance serves one mart: the UI shows its runs' check results as the mart's. The first run
recorded in it binds it to the mart that run wrote (a key of the instance's own storage), and
every run is tagged with the mart it wrote. A run writing another mart goes to an in-memory
instance instead, so it never shows as the served mart's latest check result."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dagster import DagsterInstance

from finops_core.database import database_identity

MART_TAG = "finops/mart"
"""host:port/dbname of the mart a run wrote."""


@dataclass(frozen=True)
class RecordingInstance:
    instance: DagsterInstance
    note: str | None = None
    """Why the run is not recorded in DAGSTER_HOME's instance (None: recorded, or no instance)."""


def served_mart(instance: DagsterInstance) -> str | None:
    return instance.run_storage.get_cursor_values({MART_TAG}).get(MART_TAG)


def bind(instance: DagsterInstance, mart: str) -> str:
    """The mart the instance serves: bound to `mart` now if it served none yet."""
    served = served_mart(instance)
    if served is None:
        instance.run_storage.set_cursor_values({MART_TAG: mart})
        return mart
    return served


def home_instance() -> DagsterInstance:
    """DAGSTER_HOME's instance; its mistakes (no such folder, a relative path, a dagster.yaml
    Dagster cannot read or a storage it cannot reach) refused in one line naming it."""
    home = os.environ["DAGSTER_HOME"]
    try:
        return DagsterInstance.get()
    except Exception as error:  # Dagster's invariant, YAML, config and storage errors alike
        raise ValueError(
            f"DAGSTER_HOME={home}: Dagster's instance could not be opened: {_instance_problem(error)} (unset "
            "DAGSTER_HOME to record the runs in memory)"
        ) from None


def _instance_problem(error: Exception) -> str:
    """Why Dagster could not open the instance, in one line: a config error's own reasons (its
    text first lists the schema's fields, which hid the missing environment variable past any
    cut), else the text's lines joined (a YAML error's say where: the node, what was found, the
    file's line)."""
    evaluations = getattr(error, "errors", None)  # DagsterInvalidConfigError's list
    if isinstance(evaluations, list):
        # "Post processing ... failed:\ndagster._config.errors.PostProcessingError: <why>\n\nStack Trace..."
        causes = (str(getattr(e, "message", e)).split("\n\nStack Trace")[0].strip() for e in evaluations)
        reasons = [re.sub(r"^[\w.]+Error: ", "", cause.splitlines()[-1]) for cause in causes if cause]
        if reasons:
            return "; ".join(reasons)
    reason = " ".join(line.strip() for line in str(error).splitlines() if line.strip())[:400]
    return reason or type(error).__name__


def recording_instance(database_url: str) -> RecordingInstance:
    """DAGSTER_HOME's instance when it is set and serves this mart (or none yet), else an
    ephemeral one, with a note when DAGSTER_HOME's serves another."""
    if not os.environ.get("DAGSTER_HOME"):
        return RecordingInstance(DagsterInstance.ephemeral())
    instance = home_instance()
    mart = database_identity(database_url)
    served = bind(instance, mart)
    if served == mart:
        return RecordingInstance(instance)
    return RecordingInstance(
        DagsterInstance.ephemeral(),
        f"not recorded in the Dagster instance of DAGSTER_HOME: it serves the mart {served}, "
        f"this run writes {mart}",
    )


def create_pools(instance: DagsterInstance, pools: Iterable[str]) -> None:
    """Before runs start side by side: the pools they use, at the instance's default limit when
    they have none yet (as the run queue's daemon does before it launches a run). Two runs that
    create the same pool at once race in Dagster 1.13's PostgreSQL storage (a unique violation
    fails the step). A limit set by hand (`dagster instance concurrency set`) is kept."""
    storage = instance.event_log_storage
    default = instance.global_op_concurrency_default_limit
    if not storage.supports_global_concurrency_limits or default is None:
        return
    limits = {pool.name: pool for pool in storage.get_pool_limits()}
    for pool in pools:
        known = limits.get(pool)
        if known is None or (known.from_default and known.limit != default):
            storage.initialize_concurrency_limit_to_default(pool)
