"""The Dagster code location on Kubernetes (deploy/README.md): the asset graph of
finops_assets.definitions, whose runs (one per month) the K8sRunLauncher starts in pods of their
own, with each step of a run in a pod of its own too (dagster-k8s's k8s_job_executor), so that a
month's sources load side by side on as many nodes. Needs the `k8s` extra."""

from typing import Any

from dagster_k8s import k8s_job_executor

from finops_assets.graph import build_definitions
from finops_core.config import load_config
from finops_core.settings import Settings

# The executor's configuration, set on the executor itself, so that every run has it: the
# schedule's, the sensor's, a job backfill's and an asset backfill's (which runs Dagster's
# implicit asset job, not month_assets) alike. The namespace and the database secret come from
# the run launcher, which the step pods inherit; a step's own resources, from its op's
# `dagster-k8s/config` tag.
EXECUTOR_CONFIG: dict[str, Any] = {
    # a month's steps side by side: one per source, then the mart's
    "max_concurrent": 4,
    "step_k8s_config": {
        # a month's billing_lines step holds the most memory (benchmarks/RESULTS.md)
        "container_config": {
            "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "3Gi"}}
        }
    },
    # the owner references let Kubernetes collect the step jobs with their run's pod
    "enable_owner_references": True,
}

defs = build_definitions(
    load_config(Settings.from_env().config_path),
    executor=k8s_job_executor.configured(EXECUTOR_CONFIG, name="k8s_month_executor"),
)
