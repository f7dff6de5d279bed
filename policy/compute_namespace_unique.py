"""compute-namespace-unique: each attach of a cluster gets its own namespace."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import kubernetes
from policy.resources import Graph, get, peek
from policy.rule import Context, Finding, Rule

NAME = "compute-namespace-unique"


def _cluster_key(graph: Graph, compute: PolicyResource) -> object:
    """The attached cluster: its resource in the program, else its id (case-insensitive)."""
    cluster = graph.compute_cluster(compute)
    if cluster is not None:
        return cluster.urn
    return str(get(compute.props, "properties", "resourceId", default="")).lower()


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    seen: dict[tuple[object, str], PolicyResource] = {}
    for compute in graph.kubernetes_computes():
        namespace = get(
            compute.props,
            "properties",
            "properties",
            "namespace",
            default=kubernetes.DEFAULT_NAMESPACE,
        )
        key = (_cluster_key(graph, compute), str(namespace))
        first = seen.setdefault(key, compute)
        if first is not compute:
            other = peek(first.props, "computeName") or first.name
            yield Finding(
                compute,
                f"attaches the same cluster in namespace '{namespace}' as compute '{other}': "
                "give each attach (team, workspace) its own namespace.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="Each Kubernetes compute attach of a cluster uses its own namespace.",
    why="A cluster can be attached many times, to one or several workspaces; the namespace is what "
    "isolates their workloads, quotas and RBAC. Two attaches in one namespace share everything.",
    fix="Set a distinct properties.properties.namespace on each attach of the same cluster.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-to-workspace",
    check=check,
)
