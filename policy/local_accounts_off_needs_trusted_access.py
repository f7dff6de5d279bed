"""local-accounts-off-needs-trusted-access: without local accounts, Azure ML reaches the cluster
through an AKS Trusted Access role binding for its workspace."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import aks, arm, tokens
from catalog.extension import is_true
from policy.resources import Graph, cluster_label, get, peek, same
from policy.rule import Context, Finding, Rule

NAME = "local-accounts-off-needs-trusted-access"


def _workspace(graph: Graph, resource: PolicyResource, via: str) -> tuple[object, object]:
    """The workspace a compute or binding names: (its resource when in the graph, a mapping
    with its workspaceName and resourceGroupName)."""
    found = graph.linked(resource, tokens.WORKSPACE, via=via)
    if found:
        return found[0], found[0].props
    if via == "workspaceName":
        return None, resource.props
    parsed = arm.parse(get(resource.props, "sourceResourceId"), arm.WORKSPACE)
    if parsed is None:
        return None, {}
    return None, {"workspaceName": parsed.name, "resourceGroupName": parsed.resource_group}


def _same_workspace(graph: Graph, compute: PolicyResource, binding: PolicyResource) -> bool:
    """The graph first; then the names, the workspace's own before its resource group's (which is
    often unknown at preview and needed only when the names agree)."""
    ours, our_props = _workspace(graph, compute, "workspaceName")
    theirs, their_props = _workspace(graph, binding, "sourceResourceId")
    if ours is not None and theirs is not None:
        return ours is theirs
    return all(
        same(get(our_props, key), get(their_props, key)) and get(their_props, key) is not None
        for key in ("workspaceName", "resourceGroupName")
    )


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    bindings = [
        b
        for b in graph.of_type(tokens.TRUSTED_ACCESS_ROLE_BINDING)
        if any(same(role, aks.TRUSTED_ACCESS_ROLE) for role in get(b.props, "roles", default=[]))
    ]
    for cluster in graph.azureml_clusters():
        if not is_true(get(cluster.props, "disableLocalAccounts")):
            continue
        # Only an attached workspace reaches the cluster: none attached yet, none needs a binding.
        attaches = [c for c in graph.kubernetes_computes() if graph.compute_cluster(c) is cluster]
        if not attaches:
            continue
        on_cluster = [
            b
            for b in bindings
            if graph.managed_cluster(b, "resourceName", "resourceGroupName", "resourceName")
            is cluster
        ]
        if not on_cluster:
            yield Finding(
                cluster,
                f"cluster {cluster_label(cluster)} disables local accounts and is attached to "
                "Azure ML, but has no Trusted Access role binding with role "
                f"{aks.TRUSTED_ACCESS_ROLE}: Azure ML cannot reach it. Add a "
                "TrustedAccessRoleBinding for each attached workspace (sourceResourceId).",
            )
            continue
        for compute in attaches:
            if not any(_same_workspace(graph, compute, b) for b in on_cluster):
                name = peek(compute.props, "workspaceName")
                workspace = f"workspace '{name}'" if name else "its workspace"
                yield Finding(
                    compute,
                    f"compute attaches cluster {cluster_label(cluster)}, which disables local "
                    f"accounts, but no Trusted Access role binding names {workspace}: add one "
                    f"with role {aks.TRUSTED_ACCESS_ROLE} (and "
                    "re-attach computes created before it).",
                )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="AKS with local accounts disabled has a Trusted Access binding for each attaching "
    "workspace.",
    why="Azure ML does not support AKS without local accounts except through a Trusted Access "
    "role binding (Microsoft.MachineLearningServices/workspaces/mlworkload) for the workspace; "
    "without it the attach and every job fail.",
    fix="Add a TrustedAccessRoleBinding on the cluster with roles "
    "[Microsoft.MachineLearningServices/workspaces/mlworkload] and sourceResourceId the "
    "workspace id; re-attach computes attached before it. Or keep local accounts on.",
    url="https://github.com/Azure/AML-Kubernetes/blob/master/docs/azureml-aks-ta-support.md",
    check=check,
)
