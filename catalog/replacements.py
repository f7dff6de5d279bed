"""Which property changes make the provider replace a resource instead of updating it.

Sources: pulumi-azure-native replaces a resource when a property that is part of its ARM URL
(resource group, names, parent names) or its location changes, since ARM cannot move or rename
(pulumi-azure-native docs, "forceNew" in the provider metadata); an extension's type and scope
cannot be changed in place (Microsoft.KubernetesConfiguration REST reference). Kubernetes objects
cannot change name, namespace or kind (Kubernetes API conventions).
"""

import re

from catalog import tokens

AZURE_NATIVE_REPLACE = frozenset(
    {
        "location",
        "resourceGroupName",
        "resourceName",
        "clusterName",
        "clusterRp",
        "clusterResourceName",
        "extensionName",
        "extensionType",
        "scope",
        "workspaceName",
        "computeName",
        "namespaceName",
        "hybridConnectionName",
        "authorizationRuleName",
        "virtualNetworkName",
        "subnetName",
        "trustedAccessRoleBindingName",
        "roleAssignmentName",
        "dnsPrefix",
        # Network and DNS resources the program makes: their names are in their ARM URLs too.
        "azureFirewallName",
        "firewallPolicyName",
        "ruleCollectionGroupName",
        "routeTableName",
        "publicIpAddressName",
        "zoneName",
        "privateZoneName",
        "relativeRecordSetName",
        "recordType",
        "endpointName",
        "deploymentName",
    }
)
KUBERNETES_REPLACE = frozenset({"apiVersion", "kind", "metadata.name", "metadata.namespace"})

# Changes AKS refuses to make in place: the provider sends an update and AKS rejects it, so a diff
# flags them with replacements and says what to do instead. Keyed by (type, path with list indices
# as []). Source: learn.microsoft.com/azure/aks/manage-node-pools, Limitations: "You can't change
# the VM size of a node pool after you create it" (resize-node-pool: add a pool with the new size,
# cordon and drain the old one, then delete it; an in-place resize is only an AKS preview feature).
_NEW_POOL = "AKS cannot change a node pool's VM size in place: a new pool is needed"
NOT_IN_PLACE = {
    (tokens.MANAGED_CLUSTER, "agentPoolProfiles[].vmSize"): _NEW_POOL,
    (tokens.AGENT_POOL, "vmSize"): _NEW_POOL,
}


# Resources whose removal or replacement interrupts what users reach: the scoring name's A record
# (the sslCname clients call). A replacement deletes and makes it again; between the two, and
# for as long as resolvers cache the miss, the name does not resolve.
_SCORING_NAME = (
    "the scoring name's DNS record: clients calling the endpoints by sslCname cannot resolve it "
    "{when}"
)
DISRUPTIVE_REMOVALS = {
    tokens.DNS_RECORD_SET: _SCORING_NAME,
    tokens.PRIVATE_DNS_RECORD_SET: _SCORING_NAME,
}


def removal_disrupts(resource_type: str, replaced: bool = False) -> str | None:
    """What removing (or replacing) a resource of this type interrupts, or None."""
    reason = DISRUPTIVE_REMOVALS.get(tokens.base_type(resource_type))
    if reason is None:
        return None
    when = (
        "between its deletion and its re-creation, and while resolvers cache the miss"
        if replaced
        else "once it is deleted, until a record exists again"
    )
    return reason.format(when=when)


# What a change does to running work, for the reviewer (by type and the changed path's start,
# list indices as []). Not disruptive by themselves: they say when and how things restart.
_HELM_UPGRADE = (
    "the extension is upgraded in place (a Helm upgrade of its release): azureml-fe and the "
    "extension's pods restart, and azureml-fe's replica count returns to the configured one"
)
_VERSION_UPGRADE = (
    "an upgrade: the control plane first, then each pool, its nodes surged and drained "
    "(maxSurge), pods evicted and rescheduled (running training jobs restart)"
)
EFFECTS: dict[tuple[str, str], str] = {
    (tokens.EXTENSION, "version"): _HELM_UPGRADE,
    (tokens.EXTENSION, "releaseTrain"): _HELM_UPGRADE,
    (tokens.EXTENSION, "autoUpgradeMinorVersion"): (
        "who upgrades the extension changes: with auto-upgrade on, Azure upgrades it (and "
        "restarts azureml-fe) within the release train"
    ),
    (tokens.MANAGED_CLUSTER, "kubernetesVersion"): _VERSION_UPGRADE,
    (tokens.MANAGED_CLUSTER, "agentPoolProfiles[].orchestratorVersion"): _VERSION_UPGRADE,
    (tokens.AGENT_POOL, "orchestratorVersion"): _VERSION_UPGRADE,
    (tokens.MANAGED_CLUSTER, "autoUpgradeProfile"): (
        "AKS applies a channel change within 24 hours; upgrades then run in the channel's "
        "maintenance window"
    ),
    (tokens.MANAGED_CLUSTER, "agentPoolProfiles[].upgradeSettings"): (
        "takes effect at the pool's next upgrade"
    ),
    (tokens.MAINTENANCE_CONFIGURATION, "maintenanceWindow"): (
        "the next automatic upgrade may run in the new window (AKS asks for at least 15 "
        "minutes between the change and the window's start)"
    ),
}


def effect(resource_type: str, changed_path: str) -> str | None:
    """What a change does to running work, when it does something a reviewer should know."""
    base = tokens.base_type(resource_type)
    path = re.sub(r"\[\d+\]", "[]", changed_path)
    for (kind, start), text in EFFECTS.items():
        if kind == base and (path == start or path.startswith(start + ".")):
            return text
    return None


def not_in_place(resource_type: str, changed_path: str) -> str | None:
    """Why a change cannot be applied in place and what it takes instead, or None."""
    key = (tokens.base_type(resource_type), re.sub(r"\[\d+\]", "[]", changed_path))
    return NOT_IN_PLACE.get(key)


def replaces(resource_type: str, changed_path: str) -> bool:
    """The provider replaces the resource for this change (a not-in-place change is refused by
    Azure instead: see not_in_place)."""
    package = resource_type.split(":")[0]
    top = changed_path.split(".")[0].split("[")[0]
    if package == "azure-native":
        return top in AZURE_NATIVE_REPLACE
    if package == "kubernetes":
        return any(
            changed_path == p or changed_path.startswith(p + ".") for p in KUBERNETES_REPLACE
        )
    return False


SOURCES: dict[str, str] = {
    "AZURE_NATIVE_REPLACE": (
        "partly confirmed: a tracked resource's location is create-only (ARM RPC-Put-V1-14, "
        "Azure/azure-openapi-validator LocationMustHaveXmsMutability) and names in the URL are "
        "the resource's identity (ARM cannot rename: Learn 'Azure Resource Manager FAQ'); "
        "unconfirmed: that pulumi-azure-native marks each listed property replace-on-change "
        "(dnsPrefix, extensionType, scope), kept because a false replace warning is the safe side"
    ),
    "KUBERNETES_REPLACE": (
        "unconfirmed with the search tool: metadata.name and namespace identify an object, and "
        "kind or apiVersion change the Pulumi type token, so each change is a new object "
        "(Kubernetes API conventions); flagging it is the safe side"
    ),
    "NOT_IN_PLACE": (
        "Learn 'Manage node pools', Limitations: 'You can't change the VM size of a node pool "
        "after you create it' (resize-node-pool: new pool, cordon and drain, delete)"
    ),
    "not_in_place": "NOT_IN_PLACE",
    "DISRUPTIVE_REMOVALS": (
        "Learn 'Azure Machine Learning inference router and connectivity requirements', "
        "https://learn.microsoft.com/azure/machine-learning/how-to-kubernetes-inference-routing-"
        "azureml-fe: clients score through the sslCname, whose record points at azureml-fe; "
        "Learn 'Overview of DNS zones and records' (records answer only while they exist; TTL)"
    ),
    "removal_disrupts": "DISRUPTIVE_REMOVALS",
    "EFFECTS": (
        "Learn 'Automatically upgrade an Azure Kubernetes Service (AKS) cluster' (24 hours for a "
        "channel change; control plane then pools), 'Configure rolling upgrades for AKS node "
        "pools' (surge, drain), 'Use planned maintenance ...' (15 minutes' notice), Learn "
        "'Azure Machine Learning inference router and connectivity requirements' (replica count "
        "reset on upgrade); unconfirmed: that azureml-fe restarts on an extension upgrade "
        "(inferred: the extension is a Helm release)"
    ),
    "effect": "EFFECTS",
    "replaces": "AZURE_NATIVE_REPLACE, KUBERNETES_REPLACE",
}
