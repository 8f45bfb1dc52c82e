"""The run configuration of a month's run under the k8s_job_executor (finops_assets/k8s.py), apart
from the code location so that it can be read without loading the platform's configuration."""

from typing import Any

# The month job's run configuration: the job's default, so that the schedule's and the sensor's
# runs, which carry none, get it as the launchpad's do (where it shows, editable per run). The
# namespace and the database secret come from the run launcher, which the step pods inherit.
MONTH_RUN_CONFIG: dict[str, Any] = {
    "execution": {
        "config": {
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
    }
}
