"""azureml-fe, the Azure ML extension's inference router: its documented capacity and behaviour.

router/ models azureml-fe from these figures; the stack settings and the policy pack read them
from here too.
"""

from __future__ import annotations

_LEARN = (
    "Learn 'Azure Machine Learning inference router and connectivity requirements' "
    "(https://learn.microsoft.com/azure/machine-learning/how-to-kubernetes-inference-routing-azureml-fe)"
)

# Capacity of one azureml-fe instance, and where its default resources stop being enough.
RPS_PER_INSTANCE = 5000
ADVICE_RPS = 10000
OVERHEAD_MEAN_MS = 3.0
OVERHEAD_P99_MS = 15.0
DEFAULT_LIMIT_CPU = "2"
DEFAULT_LIMIT_MEMORY = "1.2G"
# Instances the extension deploys: 3 with inferenceRouterHA (one coordinates), else 1.
INSTANCES_HA = 3
INSTANCES_SINGLE = 1
# The autoscaler: adding replicas is eager, removing them conservative.
SCALE_UP_DELAY_S = 1.0
SCALE_DOWN_DELAY_S = 60.0
SCALE_DOWN_POLLS = 20

SOURCES: dict[str, str] = {
    "RPS_PER_INSTANCE": f"{_LEARN}: an azureml-fe instance serves up to 5,000 requests per second",
    "ADVICE_RPS": f"{_LEARN}: above 10,000 requests per second, raise azureml-fe's resources",
    "OVERHEAD_MEAN_MS": f"{_LEARN}: at most 3 ms average overhead per request",
    "OVERHEAD_P99_MS": f"{_LEARN}: at most 15 ms p99 overhead per request",
    "DEFAULT_LIMIT_CPU": f"{_LEARN}: default resource limit 2 vCPU per azureml-fe pod",
    "DEFAULT_LIMIT_MEMORY": f"{_LEARN}: default resource limit 1.2 GB per azureml-fe pod",
    "INSTANCES_HA": f"{_LEARN}: with inferenceRouterHA three instances, one of them coordinating",
    "INSTANCES_SINGLE": f"{_LEARN}: without inferenceRouterHA one instance",
    "SCALE_UP_DELAY_S": f"{_LEARN}, autoscaling: replicas are added eagerly (about 1 second)",
    "SCALE_DOWN_DELAY_S": "Learn 'Deploy a model to an Azure Kubernetes Service cluster' (v1, "
    "https://learn.microsoft.com/azure/machine-learning/v1/how-to-deploy-azure-kubernetes-"
    "service): scaling down is conservative, about 1 minute",
    "SCALE_DOWN_POLLS": f"{_LEARN}, autoscaling: scale-down happens after around 20 times the "
    "polling interval",
}
