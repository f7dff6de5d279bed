"""Which property changes make the provider replace a resource instead of updating it.

Sources: pulumi-azure-native replaces a resource when a property that is part of its ARM URL
(resource group, names, parent names) or its location changes, since ARM cannot move or rename
(pulumi-azure-native docs, "forceNew" in the provider metadata); an extension's type and scope
cannot be changed in place (Microsoft.KubernetesConfiguration REST reference). Kubernetes objects
cannot change name, namespace or kind (Kubernetes API conventions).
"""

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


def replaces(resource_type: str, changed_path: str) -> bool:
    package = resource_type.split(":")[0]
    top = changed_path.split(".")[0].split("[")[0]
    if package == "azure-native":
        return top in AZURE_NATIVE_REPLACE
    if package == "kubernetes":
        return any(
            changed_path == p or changed_path.startswith(p + ".") for p in KUBERNETES_REPLACE
        )
    return False
