"""Azure Resource Manager ids: one parser and one builder for settings, components and policies.

An id is /subscriptions/<guid>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>[/<type>/<name>]
(Microsoft Learn, "Azure Resource Manager resource id format"). Resource provider namespaces and
types are case-insensitive in ARM, so matching ignores case; names keep their spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ID = re.compile(
    rf"^/subscriptions/(?P<sub>{GUID})/resourceGroups/(?P<rg>[^/]+)/providers/"
    r"(?P<ns>[^/]+)(?P<rest>(/[^/]+/[^/]+)+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Kind:
    """A resource type: its provider namespace and its type path (parent types first)."""

    namespace: str
    types: tuple[str, ...]
    label: str  # what people call it, for messages

    @property
    def example(self) -> str:
        """How an id of this kind looks, for error messages."""
        tail = "/".join(f"{t}/<name>" for t in self.types)
        return f"/subscriptions/<id>/resourceGroups/<rg>/providers/{self.namespace}/{tail}"


WORKSPACE = Kind("Microsoft.MachineLearningServices", ("workspaces",), "workspace")
MANAGED_CLUSTER = Kind("Microsoft.ContainerService", ("managedClusters",), "AKS cluster")
CONNECTED_CLUSTER = Kind("Microsoft.Kubernetes", ("connectedClusters",), "connected cluster")
USER_ASSIGNED_IDENTITY = Kind(
    "Microsoft.ManagedIdentity", ("userAssignedIdentities",), "user-assigned identity"
)
SUBNET = Kind("Microsoft.Network", ("virtualNetworks", "subnets"), "subnet")
LOG_ANALYTICS_WORKSPACE = Kind(
    "Microsoft.OperationalInsights", ("workspaces",), "Log Analytics workspace"
)
DNS_ZONE = Kind("Microsoft.Network", ("dnszones",), "DNS zone")
PRIVATE_DNS_ZONE = Kind("Microsoft.Network", ("privateDnsZones",), "private DNS zone")
FIREWALL_POLICY = Kind("Microsoft.Network", ("firewallPolicies",), "firewall policy")
RELAY_NAMESPACE = Kind("Microsoft.Relay", ("namespaces",), "Azure Relay namespace")


@dataclass(frozen=True)
class ResourceId:
    subscription_id: str
    resource_group: str
    kind: Kind
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[-1]

    def __str__(self) -> str:
        return build(self.subscription_id, self.resource_group, self.kind, *self.names)


def parse(value: object, kind: Kind) -> ResourceId | None:
    """The parts of `value` when it is an id of `kind`, else None."""
    if not isinstance(value, str):
        return None
    match = _ID.fullmatch(value)
    if not match or match["ns"].lower() != kind.namespace.lower():
        return None
    parts = match["rest"].strip("/").split("/")
    types, names = parts[0::2], parts[1::2]
    if [t.lower() for t in types] != [t.lower() for t in kind.types]:
        return None
    return ResourceId(match["sub"], match["rg"], kind, tuple(names))


def build(subscription_id: str, resource_group: str, kind: Kind, *names: str) -> str:
    if len(names) != len(kind.types):
        raise ValueError(f"{kind.namespace}/{'/'.join(kind.types)} needs {len(kind.types)} names")
    tail = "/".join(f"{t}/{n}" for t, n in zip(kind.types, names))
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
        f"/providers/{kind.namespace}/{tail}"
    )


def role_definition(subscription_id: str, role_id: str) -> str:
    """A built-in role's definition id at subscription scope."""
    return (
        f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/"
        f"roleDefinitions/{role_id}"
    )


_TYPE = "ARM resource type (Bicep/ARM template reference, as public Bicep files declare it)"
SOURCES: dict[str, str] = {
    "GUID": "Learn 'Resource Manager resource ID format': subscription ids are GUIDs",
    "WORKSPACE": f"Microsoft.MachineLearningServices/workspaces, {_TYPE}",
    "MANAGED_CLUSTER": (
        "Microsoft.ContainerService/managedClusters: Azure/azure-cli-extensions "
        "AzureMLKubernetes.py (3f6c0dae) builds the cluster id from cluster_rp/cluster_type"
    ),
    "CONNECTED_CLUSTER": (
        "Microsoft.Kubernetes/connectedClusters: Learn 'Deploy Azure Machine Learning "
        "extension' (--cluster-type connectedClusters) and AzureMLKubernetes.py (3f6c0dae)"
    ),
    "USER_ASSIGNED_IDENTITY": f"Microsoft.ManagedIdentity/userAssignedIdentities, {_TYPE}",
    "SUBNET": f"Microsoft.Network/virtualNetworks/subnets, {_TYPE}",
    "LOG_ANALYTICS_WORKSPACE": f"Microsoft.OperationalInsights/workspaces, {_TYPE}",
    "DNS_ZONE": f"Microsoft.Network/dnsZones (ARM types are case-insensitive), {_TYPE}",
    "PRIVATE_DNS_ZONE": f"Microsoft.Network/privateDnsZones, {_TYPE}",
    "FIREWALL_POLICY": f"Microsoft.Network/firewallPolicies, {_TYPE}",
    "RELAY_NAMESPACE": f"Microsoft.Relay/namespaces, {_TYPE}",
    "parse": (
        "Learn 'Resource Manager resource ID format'; namespaces and types match "
        "case-insensitively as ARM treats them"
    ),
}
