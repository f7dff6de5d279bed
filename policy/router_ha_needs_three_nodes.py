"""router-ha-needs-three-nodes: inferenceRouterHA runs 3 azureml-fe replicas, one per node."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import aks, arm, tokens
from catalog.extension import is_true
from catalog.instance_types import extension_node_selector
from policy.resources import Graph, get, keys, same
from policy.rule import Context, Finding, Rule

NAME = "router-ha-needs-three-nodes"


def _router_nodes(pool, selector: dict[str, object]) -> int:
    """The pool's sure nodes when azureml-fe can run there: no NoSchedule or NoExecute taint it
    does not tolerate, and the extension's nodeSelector labels (AKS labels nodes with their
    pool's name too)."""
    labels = {"agentpool": get(pool, "name"), "kubernetes.azure.com/agentpool": get(pool, "name")}
    labels.update(get(pool, "nodeLabels", default={}) or {})
    if not aks.admits_untolerating_pods(get(pool, "nodeTaints", default=[])):
        return 0
    if any(str(labels.get(key)) != str(value) for key, value in selector.items()):
        return 0
    return aks.sure_nodes(get(pool, "count"), get(pool, "minCount"), get(pool, "enableAutoScaling"))


def _arc_nodes(graph: Graph, extension: PolicyResource) -> int | None:
    # Pulumi only reads a connected cluster and never shows reads to policies; a component that
    # attaches one (azureml-k8s:index:ArcCluster) carries its id and node count as outputs.
    handles = [
        r
        for r in graph.resources
        if {tokens.CLUSTER_OUTPUT_NODE_COUNT, tokens.CLUSTER_OUTPUT_RESOURCE_ID} <= keys(r.props)
    ]
    linked = [h for h in handles if h in graph.linked(extension, h.resource_type)]
    for handle in linked or handles:
        cluster = arm.parse(
            get(handle.props, tokens.CLUSTER_OUTPUT_RESOURCE_ID), arm.CONNECTED_CLUSTER
        )
        if cluster is None:
            continue
        if linked or (
            same(cluster.resource_group, get(extension.props, "resourceGroupName"))
            and same(cluster.name, get(extension.props, "clusterName"))
        ):
            return int(get(handle.props, tokens.CLUSTER_OUTPUT_NODE_COUNT))
    return None


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    minimum = int(context.config["minNodes"])
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        if not is_true(get(settings, "enableInference")):
            continue
        # Unset means the extension's default: HA on.
        if not is_true(get(settings, "inferenceRouterHA", default="True")):
            continue
        cluster = graph.extension_cluster(extension)
        nodes: int | None
        if cluster is not None:
            selector = extension_node_selector(settings)
            nodes = sum(_router_nodes(p, selector) for p in graph.agent_pools(cluster))
        else:
            nodes = _arc_nodes(graph, extension)
        if nodes is not None and nodes < minimum:
            yield Finding(
                extension,
                f"inferenceRouterHA is on (3 azureml-fe replicas) but the cluster is sure of "
                f"only {nodes} node(s) azureml-fe can run on (untainted, with the extension's "
                f"nodeSelector labels): set inferenceRouterHA to False or give the cluster at "
                f"least {minimum} such nodes (minCount for autoscaled pools).",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="The Azure ML extension's inferenceRouterHA needs a cluster of 3 or more nodes.",
    why="With HA the extension runs 3 azureml-fe replicas with anti-affinity, one per node; on a "
    "smaller cluster some never schedule and scoring is not highly available.",
    fix="Set the extension setting inferenceRouterHA=False on clusters under 3 nodes (dev/test), "
    "or grow the node pools azureml-fe runs on (no NoSchedule/NoExecute taint, the extension's "
    "nodeSelector labels) to 3 sure nodes (count, or minCount when autoscaled).",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension#review-azure-machine-learning-extension-configuration-settings",
    check=check,
    config={
        "minNodes": {
            "type": "integer",
            "minimum": 1,
            "default": aks.HA_MIN_NODES,
            "description": "Nodes a cluster must be sure of when inferenceRouterHA is on.",
        }
    },
)
