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

from catalog import aks, arm, tokens
from catalog.extension import CLUSTER_RP, EXTENSION_TYPE, is_true
from policy.resources import get, of_type, related

NAME = "router-ha-needs-three-nodes"


def _pool_nodes(pool) -> int:
    return aks.sure_nodes(get(pool, "count"), get(pool, "minCount"), get(pool, "enableAutoScaling"))


def _same(a, b) -> bool:
    return str(a).lower() == str(b).lower()


def _aks_nodes(extension: PolicyResource, resources: list[PolicyResource]) -> int | None:
    rg, name = get(extension.props, "resourceGroupName"), get(extension.props, "clusterName")
    clusters = [
        r for r in related(extension) if tokens.base_type(r.resource_type) == tokens.MANAGED_CLUSTER
    ]
    if not clusters:  # no graph edge: the same resource group and name is the same cluster
        clusters = [
            c
            for c in of_type(resources, tokens.MANAGED_CLUSTER)
            if _same(get(c.props, "resourceGroupName"), rg)
            and _same(get(c.props, "resourceName"), name)
        ]
    if not clusters:
        return None
    cluster = clusters[0]
    nodes = sum(_pool_nodes(p) for p in get(cluster.props, "agentPoolProfiles", default=[]))
    for pool in of_type(resources, tokens.AGENT_POOL):
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
    for r in resources:
        cluster = arm.parse(get(r.props, tokens.CLUSTER_OUTPUT_RESOURCE_ID), arm.CONNECTED_CLUSTER)
        nodes = get(r.props, tokens.CLUSTER_OUTPUT_NODE_COUNT)
        if (
            cluster
            and nodes is not None
            and _same(cluster.resource_group, rg)
            and _same(cluster.name, name)
        ):
            return int(nodes)
    return None


def validate(args: StackValidationArgs, report: ReportViolation) -> None:
    resources = list(args.resources)
    for extension in of_type(resources, tokens.EXTENSION):
        if str(get(extension.props, "extensionType", default="")).lower() != EXTENSION_TYPE.lower():
            continue
        settings = get(extension.props, "configurationSettings", default={})
        if not is_true(get(settings, "enableInference")):
            continue
        # Unset means the extension's default: HA on.
        if not is_true(get(settings, "inferenceRouterHA", default="True")):
            continue
        on_aks = get(extension.props, "clusterResourceName") == CLUSTER_RP["aks"][1]
        nodes = _aks_nodes(extension, resources) if on_aks else _arc_nodes(extension, resources)
        if nodes is not None and nodes < aks.HA_MIN_NODES:
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
