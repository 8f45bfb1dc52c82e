"""Which Dagster instance records a run launched outside the UI (the CLI, the demo's load).

An instance serves one mart: the UI shows its runs' check results as the mart's. The first run
recorded in it binds it to the mart that run wrote (a key of the instance's own storage), and
every run is tagged with the mart it wrote. A run writing another mart goes to an in-memory
instance instead, so it never shows as the served mart's latest check result."""

from __future__ import annotations

import os
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


def recording_instance(database_url: str) -> RecordingInstance:
    """DAGSTER_HOME's instance when it is set and serves this mart (or none yet), else an
    ephemeral one, with a note when DAGSTER_HOME's serves another."""
    if not os.environ.get("DAGSTER_HOME"):
        return RecordingInstance(DagsterInstance.ephemeral())
    instance = DagsterInstance.get()
    mart = database_identity(database_url)
    served = bind(instance, mart)
    if served == mart:
        return RecordingInstance(instance)
    return RecordingInstance(
        DagsterInstance.ephemeral(),
        f"not recorded in the Dagster instance of DAGSTER_HOME: it serves the mart {served}, "
        f"this run writes {mart}",
    )
