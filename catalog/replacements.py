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


def not_in_place(resource_type: str, changed_path: str) -> str | None:
    """Why a change cannot be applied in place and what it takes instead, or None."""
    key = (tokens.base_type(resource_type), re.sub(r"\[\d+\]", "[]", changed_path))
    return NOT_IN_PLACE.get(key)


def replaces(resource_type: str, changed_path: str) -> bool:
    if not_in_place(resource_type, changed_path):
        return True
    package = resource_type.split(":")[0]
    top = changed_path.split(".")[0].split("[")[0]
    if package == "azure-native":
        return top in AZURE_NATIVE_REPLACE
    if package == "kubernetes":
        return any(
            changed_path == p or changed_path.startswith(p + ".") for p in KUBERNETES_REPLACE
        )
    return False
