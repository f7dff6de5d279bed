"""aks-managed-identity-required: Azure ML supports AKS with a managed identity only."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policy.resources import Graph, cluster_label, get, keys, peek, same
from policy.rule import Context, Finding, Rule

NAME = "aks-managed-identity-required"
# servicePrincipalProfile.clientId "msi" is how AKS spells "use the managed identity".
_MSI = "msi"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for cluster in graph.azureml_clusters():
        profile = get(cluster.props, "servicePrincipalProfile", default={})
        if "clientId" in keys(profile):
            # An unknown client id comes from an app registration: a service principal.
            client = peek(profile, "clientId")
            if client is None or not same(client, _MSI):
                yield Finding(
                    cluster,
                    f"cluster {cluster_label(cluster)} uses a service principal "
                    "(servicePrincipalProfile.clientId): Azure ML needs a managed identity; "
                    "remove servicePrincipalProfile and set identity.type SystemAssigned or "
                    "UserAssigned (re-create the node pools when converting).",
                )
                continue
        identity = get(cluster.props, "identity", "type")
        if identity is None or same(identity, "None"):
            yield Finding(
                cluster,
                f"cluster {cluster_label(cluster)} has no managed identity: set identity.type "
                "SystemAssigned or UserAssigned.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="AKS clusters running Azure ML use a managed identity, not a service principal.",
    why="The Azure ML extension does not support AKS with a service principal; converting later "
    "means re-creating every node pool before the extension can be installed.",
    fix="Set identity: {type: SystemAssigned} (or UserAssigned with its identity) on the "
    "ManagedCluster and remove servicePrincipalProfile.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-anywhere#limitations",
    check=check,
)
