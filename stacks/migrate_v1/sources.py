"""The public documents each mapping rests on: a label the comments cite, a title and a URL."""

from __future__ import annotations

from typing import NamedTuple


class Source(NamedTuple):
    title: str
    url: str


SOURCES: dict[str, Source] = {
    "v1-aks": Source(
        "Learn: Deploy a model to an Azure Kubernetes Service cluster with v1",
        "https://learn.microsoft.com/azure/machine-learning/v1/how-to-deploy-azure-kubernetes-service",
    ),
    "v1-cli": Source(
        "Learn: Install and use the CLI (v1), deployment configuration schema",
        "https://learn.microsoft.com/azure/machine-learning/v1/reference-azure-machine-learning-cli",
    ),
    "sdk-config": Source(
        "azureml-core reference: AksServiceDeploymentConfiguration class "
        "(AksWebservice.deploy_configuration arguments and defaults)",
        "https://learn.microsoft.com/python/api/azureml-core/"
        "azureml.core.webservice.aks.aksservicedeploymentconfiguration",
    ),
    "sdk-service": Source(
        "azureml-core reference: AksWebservice class (serialize, what az ml service show prints)",
        "https://learn.microsoft.com/python/api/azureml-core/azureml.core.webservice.akswebservice",
    ),
    "v2-deployment": Source(
        "Learn: CLI (v2) Azure Arc-enabled Kubernetes online deployment YAML schema",
        "https://learn.microsoft.com/azure/machine-learning/reference-yaml-deployment-kubernetes-online",
    ),
    "v2-endpoint": Source(
        "Learn: CLI (v2) online endpoint YAML schema",
        "https://learn.microsoft.com/azure/machine-learning/reference-yaml-endpoint-online",
    ),
    "instance-types": Source(
        "Learn: Create and manage instance types for efficient utilization of compute resources",
        "https://learn.microsoft.com/azure/machine-learning/how-to-manage-kubernetes-instance-types",
    ),
    "k8s-compute": Source(
        "Learn: Introduction to Kubernetes compute target in Azure Machine Learning",
        "https://learn.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-anywhere",
    ),
    "gh-1474": Source(
        "Azure/azureml-examples issue 1474: Kubernetes is not supported anymore with online and "
        "deployment? (a legacy AKS compute cannot host v2 online endpoints)",
        "https://github.com/Azure/azureml-examples/issues/1474",
    ),
}
