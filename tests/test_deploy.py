"""deploy/'s Dagster side, checked without a cluster or the Dagster chart (deploy/README.md says
what cannot be; the API's own chart is rendered by Helm in test_deploy_chart.py). Each file is
checked by the code that reads it in production: Dagster's instance and run config schemas,
dagster-k8s's conversion of Kubernetes configuration, the Kubernetes API's models."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import (
    DagsterInvalidConfigError,
    validate_run_config,
)
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config
from dagster._serdes import ConfigurableClass, class_from_code_pointer
from dagster_k8s import k8s_job_executor
from dagster_k8s.job import UserDefinedDagsterK8sConfig

from finops_assets.referentials.allocation import read_allocation
from finops_assets.referentials.catalog import read_catalog
from finops_assets.referentials.pricing import read_pricing
from finops_core.config import ConfigError, load_config

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
VALUES = yaml.safe_load((DEPLOY / "helm" / "dagster-values.yaml").read_text())
INSTANCE = yaml.safe_load((DEPLOY / "dagster" / "dagster.yaml").read_text())
# the chart's camelCase names of the run launcher's Kubernetes configuration
RUN_K8S_KEYS = {
    "containerConfig": "container_config",
    "podSpecConfig": "pod_spec_config",
    "jobSpecConfig": "job_spec_config",
}


def configurable_class_errors(section: dict[str, Any]) -> list[str]:
    """The errors of a configurable class's config (run launcher, run coordinator) against the
    schema of the class it names, which must import."""
    cls = class_from_code_pointer(section["module"], section["class"])
    assert issubclass(cls, ConfigurableClass)  # as Dagster requires of the classes it loads
    result = validate_config(cls.config_type(), section["config"])
    return [error.message for error in result.errors or []]


def k8s_config(config: dict[str, Any]) -> dict[str, Any]:
    """dagster-k8s's own reading of a Kubernetes configuration, which refuses a field Kubernetes
    does not name, as a dict (untyped in dagster-k8s)."""
    read: UserDefinedDagsterK8sConfig = UserDefinedDagsterK8sConfig.from_dict(config)  # type: ignore[no-untyped-call]
    return read.to_dict()  # type: ignore[no-untyped-call,no-any-return]


def test_the_instance_config_passes_dagsters_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "unused")
    (tmp_path / "dagster.yaml").write_text((DEPLOY / "dagster" / "dagster.yaml").read_text())
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["run_launcher"]["class"] == "K8sRunLauncher"
    assert configurable_class_errors(INSTANCE["run_launcher"]) == []
    assert configurable_class_errors(INSTANCE["run_coordinator"]) == []
    # the check can fail: a misspelled field is named
    misspelled = {
        **INSTANCE["run_launcher"],
        "config": {**INSTANCE["run_launcher"]["config"], "job_namespaces": "x"},
    }
    assert any("job_namespaces" in error for error in configurable_class_errors(misspelled))
    (tmp_path / "dagster.yaml").write_text(
        yaml.safe_dump({**INSTANCE, "storage": {"postgres": {"postgres_db": {}}}})
    )
    with pytest.raises(DagsterInvalidConfigError):
        dagster_instance_config(str(tmp_path))


def test_the_kubernetes_configuration_names_kubernetes_fields() -> None:
    run_k8s_config = INSTANCE["run_launcher"]["config"]["run_k8s_config"]
    launcher = k8s_config(run_k8s_config)
    assert launcher["container_config"]["volume_mounts"][0]["mount_path"] == "/var/lib/finops"
    with pytest.raises(Exception, match="volume_mount"):
        k8s_config({"container_config": {"volume_mount": []}})


def test_the_helm_values_say_what_the_instance_config_says() -> None:
    """The chart renders the instance from the values; the chart is not here to render it, so the
    fields they share are compared, the Kubernetes ones through dagster-k8s's own conversion."""
    values = VALUES["runLauncher"]["config"]["k8sRunLauncher"]
    instance = INSTANCE["run_launcher"]["config"]
    assert VALUES["runLauncher"]["type"] == INSTANCE["run_launcher"]["class"]
    assert values["jobNamespace"] == instance["job_namespace"]
    assert values["loadInclusterConfig"] == instance["load_incluster_config"]
    assert [secret["name"] for secret in values["envSecrets"]] == instance["env_secrets"]
    from_values = {RUN_K8S_KEYS[key]: value for key, value in values["runK8sConfig"].items()}
    assert k8s_config(from_values) == k8s_config(instance["run_k8s_config"])
    assert VALUES["global"]["postgresqlSecretName"] == instance["postgres_password_secret"]
    coordinator = VALUES["dagsterDaemon"]["runCoordinator"]
    assert coordinator["type"] == INSTANCE["run_coordinator"]["class"]
    queue = coordinator["config"]["queuedRunCoordinator"]
    assert queue == {
        "dequeueIntervalSeconds": INSTANCE["run_coordinator"]["config"]["dequeue_interval_seconds"]
    }
    runs, pools = VALUES["concurrency"]["runs"], VALUES["concurrency"]["pools"]
    assert INSTANCE["concurrency"] == {
        "runs": {"max_concurrent_runs": runs["maxConcurrentRuns"]},
        "pools": {"default_limit": pools["defaultLimit"], "granularity": pools["granularity"]},
    }
    postgres, storage = VALUES["postgresql"], INSTANCE["storage"]["postgres"]["postgres_db"]
    assert (postgres["postgresqlHost"], postgres["postgresqlUsername"], postgres["postgresqlDatabase"]) == (
        storage["hostname"],
        storage["username"],
        storage["db_name"],
    )
    assert postgres["service"]["port"] == storage["port"]


def test_the_code_server_mounts_the_bills_and_hands_the_runs_their_resources() -> None:
    """The sensor `new_delivery` lists the sources' files in the code server's pod: without the
    bills mounted there it found no file, silently. The runs inherit the code server's resources
    (includeConfigInLaunchedRuns), over the run launcher's: they must be the runs' own."""
    [deployment] = VALUES["dagster-user-deployments"]["deployments"]
    run_k8s = VALUES["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    bills = {"name": "finops-bills", "mountPath": "/data/bills", "readOnly": True}
    assert bills in deployment["volumeMounts"]
    assert bills in run_k8s["containerConfig"]["volumeMounts"]
    claim = {"name": "finops-bills", "persistentVolumeClaim": {"claimName": "finops-bills"}}
    assert claim in deployment["volumes"] and claim in run_k8s["podSpecConfig"]["volumes"]
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}
    assert deployment["resources"] == run_k8s["containerConfig"]["resources"]


def test_every_run_of_the_kubernetes_code_location_gets_the_executor_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The executor carries its configuration, so that no run goes without it: the schedule's
    and the sensor's (their run requests name no run config) and an asset backfill's (Dagster's
    implicit asset job, not month_assets) included."""
    [deployment] = VALUES["dagster-user-deployments"]["deployments"]
    flag, module_name = deployment["dagsterApiGrpcArgs"]
    assert (flag, module_name) == ("-m", "finops_assets.k8s")
    monkeypatch.setenv("FINOPS_CONFIG", str(REPO / "finops.yaml"))
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    module = importlib.import_module(module_name)
    step_k8s_config = module.EXECUTOR_CONFIG["step_k8s_config"]
    k8s_config(step_k8s_config)  # Kubernetes' own field names
    jobs = [*module.defs.resolve_all_job_defs()]
    assert sorted(job.name for job in jobs) == ["__ASSET_JOB", "month_assets"]
    for job in jobs:
        [(name, execution)] = validate_run_config(job, {})["execution"].items()
        assert (name, job.executor_def.executor_creation_fn) == (
            "k8s_month_executor",
            k8s_job_executor.executor_creation_fn,
        )
        assert (execution["max_concurrent"], execution["enable_owner_references"]) == (4, True)
        assert execution["step_k8s_config"]["container_config"] == step_k8s_config["container_config"]
    # a wrong value is refused when a run's config is resolved
    wrong = k8s_job_executor.configured({**module.EXECUTOR_CONFIG, "max_concurrent": "four"}, name="wrong")
    with pytest.raises(DagsterInvalidConfigError, match="max_concurrent"):
        validate_run_config(jobs[0].with_executor_def(wrong), {})


def test_dagster_validates_the_kubernetes_code_location(tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "FINOPS_CONFIG": str(REPO / "finops.yaml")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-m", "finops_assets.k8s"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr


def mount_config_map(mount: Path, files: list[Path]) -> None:
    """A ConfigMap volume as the kubelet writes it (Kubernetes' AtomicWriter): its keys in a
    hidden timestamped folder, `..data` a link to that folder, each key a link through it."""
    payload = mount / "..2026_12_07_05_40_00.000000001"
    payload.mkdir(parents=True)
    for file in files:
        shutil.copy(file, payload / file.name)
        (mount / file.name).symlink_to(Path("..data") / file.name)
    (mount / "..data").symlink_to(payload.name)


def test_the_pods_read_the_configuration_from_its_config_maps(tmp_path: Path) -> None:
    """What `kubectl create configmap NAME --from-file=FOLDER` holds (the folder's files, flat),
    mounted where the code server (and the runs, which inherit its mounts) mounts it: finops.yaml
    finds the folders it names, and each reads as it does from the repository's tree. The
    kubelet's hidden copies are not read twice (allocation keys were: "a second weight")."""
    [deployment] = VALUES["dagster-user-deployments"]["deployments"]
    mounts = {mount["name"]: mount["mountPath"] for mount in deployment["volumeMounts"]}
    config_maps = {
        volume["name"]: volume["configMap"]["name"]
        for volume in deployment["volumes"]
        if "configMap" in volume
    }
    examples = REPO / "examples"

    def files(folder: Path) -> list[Path]:
        return sorted(path for path in folder.iterdir() if path.is_file())

    contents = {
        "finops-config": [DEPLOY / "finops.yaml"],
        "finops-catalog": files(examples / "catalog"),
        "finops-pricing": files(examples / "pricing"),
        "finops-allocation": files(examples / "allocation") + files(examples / "allocation" / "keys"),
    }
    assert sorted(config_maps.values()) == sorted(contents)
    pod = tmp_path / "pod"
    for volume, config_map in config_maps.items():
        mount_config_map(pod / mounts[volume].lstrip("/"), contents[config_map])

    config = load_config(pod / deployment["env"]["FINOPS_CONFIG"].lstrip("/"))
    assert config.catalog and config.pricing and config.allocation and config.api
    assert config.resolve(config.catalog).resolve() == (pod / "etc" / "finops" / "catalog").resolve()
    assert read_catalog(config.resolve(config.catalog)) == read_catalog(examples / "catalog")
    assert read_pricing(config.resolve(config.pricing)) == read_pricing(examples / "pricing")
    in_pod, in_tree = (
        read_allocation(config.resolve(config.allocation)),
        read_allocation(examples / "allocation"),
    )
    assert in_pod.rules == in_tree.rules
    assert sorted(map(repr, in_pod.keys)) == sorted(map(repr, in_tree.keys)) != []
    assert config.api.auth is not None and config.api.auth.mode == "backstage"
    assert config.api.auth.backstage is not None and config.api.auth.backstage.issuer
    assert config.source_path(config.source("aws")).is_relative_to(mounts["finops-bills"])

    # the volumes of the folders are optional, and a ConfigMap never created mounts an empty
    # folder: refused, not read as the withdrawal of every rate card, rule and key
    folders = [volume["configMap"] for volume in deployment["volumes"] if volume["name"] in config_maps]
    assert [folder.get("optional", False) for folder in folders] == [False, True, True, True]
    empty = tmp_path / "empty"
    mount_config_map(empty, [])
    readers: list[tuple[Callable[[Path], object], str]] = [
        (read_catalog, "no catalog files"),
        (read_pricing, "no pricing files"),
        (read_allocation, "no allocation files"),
    ]
    for read, message in readers:
        with pytest.raises(ConfigError, match=message):
            read(empty)
