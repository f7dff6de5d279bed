"""The public documents the catalog cites, each once: title and URL, as a user can open them.

Not facts themselves (catalog.facts skips this module): every fact's source names one of these,
with the section or table it comes from.
"""

from __future__ import annotations


def _learn(title: str, path: str) -> str:
    return f"Learn '{title}', https://learn.microsoft.com/{path}"


V1_AKS_DEPLOY = _learn(
    "Deploy a model to an Azure Kubernetes Service cluster with v1",
    "azure/machine-learning/v1/how-to-deploy-azure-kubernetes-service",
)
EXTENSION = _learn(
    "Deploy Azure Machine Learning extension on AKS or Arc Kubernetes cluster",
    "azure/machine-learning/how-to-deploy-kubernetes-extension",
)
INFERENCE_ROUTER = _learn(
    "Azure Machine Learning inference router and connectivity requirements",
    "azure/machine-learning/how-to-kubernetes-inference-routing-azureml-fe",
)
# The German edition of the router page, which differs from the English one in its host list.
INFERENCE_ROUTER_DE = _learn(
    "Azure Machine Learning – Rückschlussrouter und Konnektivitätsanforderungen",
    "de-de/azure/machine-learning/how-to-kubernetes-inference-routing-azureml-fe",
)
KUBERNETES_COMPUTE = _learn(
    "Introduction to Kubernetes compute target in Azure Machine Learning",
    "azure/machine-learning/how-to-attach-kubernetes-anywhere",
)
AKS_OUTBOUND = _learn(
    "Outbound network and FQDN rules for Azure Kubernetes Service (AKS) clusters",
    "azure/aks/outbound-rules-control-egress",
)
AML_NETWORK = _learn(
    "Configure inbound and outbound network traffic",
    "azure/machine-learning/how-to-access-azureml-behind-firewall",
)
ARC_NETWORK = _learn(
    "Azure Arc-enabled Kubernetes network requirements",
    "azure/azure-arc/kubernetes/network-requirements",
)
SECURE_ONLINE_ENDPOINT = _learn(
    "Configure a secure online endpoint with TLS/SSL",
    "azure/machine-learning/how-to-secure-kubernetes-online-endpoint",
)
