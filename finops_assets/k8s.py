"""The Dagster code location on Kubernetes (deploy/README.md): the asset graph of
finops_assets.definitions, whose runs (one per month) the K8sRunLauncher starts in pods of their
own, with each step of a run in a pod of its own too (dagster-k8s's k8s_job_executor), so that a
month's sources load side by side on as many nodes. Needs the `k8s` extra."""

from dagster_k8s import k8s_job_executor

from finops_assets.graph import build_definitions
from finops_assets.k8s_run_config import MONTH_RUN_CONFIG
from finops_core.config import load_config
from finops_core.settings import Settings

defs = build_definitions(
    load_config(Settings.from_env().config_path), executor=k8s_job_executor, month_run_config=MONTH_RUN_CONFIG
)
