"""router-ha-needs-three-nodes: inferenceRouterHA runs 3 azureml-fe replicas, one per node."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from catalog import extension as ext
from catalog import kubernetes as k
from policy.resources import get, of_type, related, truthy

NAME = "router-ha-needs-three-nodes"


def _pool_nodes(pool) -> int:
    """Nodes a pool is sure to have: minCount under the autoscaler, else its count."""
    if truthy(get(pool, "enableAutoScaling")):
        return int(get(pool, "minCount", default=0))
    return int(get(pool, "count", default=0))


def _same(a, b) -> bool:
    return str(a).lower() == str(b).lower()


def _aks_nodes(extension: PolicyResource, resources: list[PolicyResource]) -> int | None:
    rg, name = get(extension.props, "resourceGroupName"), get(extension.props, "clusterName")
    clusters = [
        r for r in related(extension) if k.base_type(r.resource_type) == k.MANAGED_CLUSTER_TYPE
    ]
    if not clusters:  # no graph edge: the same resource group and name is the same cluster
        clusters = [
            c
            for c in of_type(resources, k.MANAGED_CLUSTER_TYPE)
            if _same(get(c.props, "resourceGroupName"), rg)
            and _same(get(c.props, "resourceName"), name)
        ]
    if not clusters:
        return None
    cluster = clusters[0]
    nodes = sum(_pool_nodes(p) for p in get(cluster.props, "agentPoolProfiles", default=[]))
    for pool in of_type(resources, k.AGENT_POOL_TYPE):
        if cluster in related(pool) or (
            _same(get(pool.props, "resourceGroupName"), rg)
            and _same(get(pool.props, "resourceName"), name)
        ):
            nodes += _pool_nodes(pool.props)
    return nodes


def _arc_nodes(extension: PolicyResource, resources: list[PolicyResource]) -> int | None:
    # Pulumi only reads a connected cluster and never shows reads to policies; a component that
    # attaches one (azureml-k8s:index:ArcCluster) carries its id and node count as outputs.
    rg, name = get(extension.props, "resourceGroupName"), get(extension.props, "clusterName")
    suffix = f"/resourcegroups/{rg}/providers/microsoft.kubernetes/connectedclusters/{name}".lower()
    for r in resources:
        cluster_id = get(r.props, "clusterResourceId")
        if (
            isinstance(cluster_id, str)
            and cluster_id.lower().endswith(suffix)
            and get(r.props, "nodeCount") is not None
        ):
            return int(get(r.props, "nodeCount"))
    return None


def validate(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = list(args.resources)
    for extension in of_type(resources, k.EXTENSION_TYPE_TOKEN):
        if (
            str(get(extension.props, "extensionType", default="")).lower()
            != ext.EXTENSION_TYPE.lower()
        ):
            continue
        settings = get(extension.props, "configurationSettings", default={})
        if not truthy(get(settings, "enableInference")):
            continue
        # Unset means the extension's default: HA on.
        if not truthy(get(settings, "inferenceRouterHA", default="True")):
            continue
        on_aks = get(extension.props, "clusterResourceName") == ext.CLUSTER_RP["aks"][1]
        nodes = _aks_nodes(extension, resources) if on_aks else _arc_nodes(extension, resources)
        if nodes is not None and nodes < ext.HA_MIN_NODES:
            report(
                f"inferenceRouterHA is on (3 azureml-fe replicas) but cluster "
                f"'{get(extension.props, 'clusterName')}' is sure of only {nodes} node(s): "
                "set inferenceRouterHA to False or give the cluster at least 3 nodes "
                "(minCount for autoscaled pools).",
                extension.urn,
            )


POLICY = StackValidationPolicy(
    name=NAME,
    description="The Azure ML extension's inferenceRouterHA needs a cluster of 3 or more nodes.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Set the extension setting inferenceRouterHA=False on clusters under 3 "
    "nodes (dev/test), or grow the node pools to 3 nodes or more.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension#review-azure-machine-learning-extension-configuration-settings",
)
