"""Azure ML's quotas for online endpoints, per Kubernetes cluster, per endpoint and per
subscription and region (Learn "Manage and increase quotas and limits for resources with Azure
Machine Learning"). The per-cluster limits allow no exception; the others can be raised by a
support request.
"""

from __future__ import annotations

ENDPOINTS_PER_CLUSTER = 60
DEPLOYMENTS_PER_CLUSTER = 100
DEPLOYMENTS_PER_ENDPOINT = 20
ENDPOINTS_PER_SUBSCRIPTION_REGION = 100
DEPLOYMENTS_PER_SUBSCRIPTION_REGION = 500

_QUOTAS = (
    "Learn 'Manage and increase quotas and limits for resources with Azure Machine Learning', "
    "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas"
)
SOURCES: dict[str, str] = {
    "ENDPOINTS_PER_CLUSTER": f"{_QUOTAS}: 'Number of endpoints per cluster | 60 | - | "
    "Kubernetes online endpoint' (no exception)",
    "DEPLOYMENTS_PER_CLUSTER": f"{_QUOTAS}: 'Number of deployments per cluster | 100 | - | "
    "Kubernetes online endpoint' (no exception)",
    "DEPLOYMENTS_PER_ENDPOINT": f"{_QUOTAS}: 'Number of deployments per endpoint | 20 | Yes'",
    "ENDPOINTS_PER_SUBSCRIPTION_REGION": f"{_QUOTAS}: 'Number of endpoints per subscription | "
    "100 | Yes', regional, summed over every endpoint type",
    "DEPLOYMENTS_PER_SUBSCRIPTION_REGION": f"{_QUOTAS}: 'Number of deployments per "
    "subscription | 500 | Yes', regional, summed over every endpoint type",
}
