"""no-registry-models-on-kubernetes: models from a registry cannot be deployed to a Kubernetes
online endpoint."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import endpoints, tokens
from policy.resources import Graph, get, peek, properties_key, same
from policy.rule import Context, Finding, Rule

NAME = "no-registry-models-on-kubernetes"
# azure-native v1 flattened `properties` into this name.
_OLDER = "onlineDeploymentProperties"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for deployment in graph.of_type(tokens.ONLINE_DEPLOYMENT):
        where = properties_key(deployment, _OLDER)
        compute_type = get(deployment.props, where, "endpointComputeType", default="")
        if not same(compute_type, endpoints.ENDPOINT_COMPUTE_TYPE_KUBERNETES):
            continue
        # The graph answers first: a model version made in a registry is a registry model and
        # one made in a workspace is not, whatever their ids (unknown at preview).
        from_registry = graph.linked(
            deployment,
            tokens.REGISTRY_MODEL_VERSION,
            tokens.REGISTRY_MODEL_CONTAINER,
            via=where,
        )
        if not from_registry and (
            graph.linked(deployment, tokens.MODEL_VERSION, via=where)
            or not endpoints.is_registry_model(get(deployment.props, where, "model", default=""))
        ):
            continue
        name = peek(deployment.props, "deploymentName") or deployment.name
        yield Finding(
            deployment,
            f"online deployment '{name}' runs on a Kubernetes compute with a model from a "
            "registry: Kubernetes online endpoints do not support registry (Model Catalog) "
            "models. Register the model in the workspace (azureml:<name>:<version>) instead.",
        )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="No registry (Model Catalog) models in Kubernetes online deployments.",
    why="Kubernetes online endpoints do not support models from the Model Catalog or a registry; "
    "the deployment fails after the 20-minute creation timeout.",
    fix="Copy the model into the workspace and reference it as azureml:<name>:<version> (or "
    "deploy registry models to a managed online endpoint).",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-anywhere#limitations",
    check=check,
)
