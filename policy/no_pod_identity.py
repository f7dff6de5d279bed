"""no-pod-identity: Microsoft Entra pod identity is not supported by Azure ML."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import is_true
from policy.resources import Graph, cluster_label, get
from policy.rule import Context, Finding, Rule

NAME = "no-pod-identity"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for cluster in graph.azureml_clusters():
        if is_true(get(cluster.props, "podIdentityProfile", "enabled")):
            yield Finding(
                cluster,
                f"cluster {cluster_label(cluster)} enables Microsoft Entra pod identity "
                "(podIdentityProfile.enabled): Azure ML does not support it; turn it off "
                "(workload identity is its successor).",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="No Microsoft Entra pod identity on clusters running Azure ML.",
    why="Azure ML on Kubernetes does not support pod-managed identities; its identity proxy and "
    "the pod identity webhook intercept the same token requests.",
    fix="Set podIdentityProfile.enabled to false (or remove podIdentityProfile).",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-anywhere#limitations",
    check=check,
)
