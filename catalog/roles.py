"""Azure built-in roles the platform assigns, by their definition ids, and who needs which.

A workspace whose identity is user-assigned needs roles on the cluster before it can attach it;
with a system-assigned identity Azure ML grants them itself (Learn "Attach a Kubernetes cluster to
Azure Machine Learning workspace", prerequisites).
"""

from __future__ import annotations

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
KUBERNETES_EXTENSION_CONTRIBUTOR = "85cb6faf-e071-4c9b-8136-154b5a04f717"
AKS_CLUSTER_ADMIN_ROLE = "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8"
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
AZURE_RELAY_OWNER = "2787bf04-f1f5-4bfe-8383-c8a24483ee38"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"

# What a workspace's user-assigned identity needs, by where (name -> role id).
ATTACH_ON_CLUSTER: dict[str, str] = {
    "reader": READER,
    "extension-contributor": KUBERNETES_EXTENSION_CONTRIBUTOR,
    "cluster-admin": AKS_CLUSTER_ADMIN_ROLE,
}
# On an AKS cluster Azure ML reaches through Trusted Access (local accounts off).
ATTACH_TRUSTED_ACCESS: dict[str, str] = {"contributor": CONTRIBUTOR}
# On Arc: the Azure Relay namespace the extension makes in the connected cluster's group.
ATTACH_ON_RELAY: dict[str, str] = {"relay-owner": AZURE_RELAY_OWNER}


def attach_roles(kind: str, trusted_access: bool) -> dict[str, str]:
    """The roles on the cluster a user-assigned workspace identity needs to attach it."""
    roles = dict(ATTACH_ON_CLUSTER)
    if kind == "aks" and trusted_access:
        roles.update(ATTACH_TRUSTED_ACCESS)
    return roles


_BUILT_IN = (
    "Learn 'Azure built-in roles', https://learn.microsoft.com/azure/role-based-access-control/"
    "built-in-roles"
)
_ATTACH = (
    "Learn 'Attach a Kubernetes cluster to Azure Machine Learning workspace', "
    "https://learn.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-to-workspace"
)
SOURCES: dict[str, str] = {
    "READER": f"{_BUILT_IN}: Reader",
    "KUBERNETES_EXTENSION_CONTRIBUTOR": f"{_BUILT_IN}: Kubernetes Extension Contributor",
    "AKS_CLUSTER_ADMIN_ROLE": f"{_BUILT_IN}: Azure Kubernetes Service Cluster Admin Role",
    "AKS_RBAC_CLUSTER_ADMIN": f"{_BUILT_IN}: Azure Kubernetes Service RBAC Cluster Admin",
    "AZURE_RELAY_OWNER": f"{_BUILT_IN}: Azure Relay Owner",
    "CONTRIBUTOR": f"{_BUILT_IN}: Contributor",
    "ATTACH_ON_CLUSTER": (
        f"{_ATTACH}: a user-assigned workspace identity needs Reader, Kubernetes Extension "
        "Contributor and Azure Kubernetes Service Cluster Admin on the cluster (Arc or AKS)"
    ),
    "ATTACH_TRUSTED_ACCESS": (
        f"{_ATTACH}: Contributor on the AKS cluster, 'required only for AKS clusters that use the "
        "Trusted Access feature' with a user-assigned workspace identity"
    ),
    "ATTACH_ON_RELAY": (
        f"{_ATTACH}: Azure Relay Owner, 'only applicable for Arc-enabled Kubernetes cluster'; the "
        "relay is made by the extension in the connected cluster's resource group"
    ),
    "attach_roles": "ATTACH_ON_CLUSTER, ATTACH_TRUSTED_ACCESS",
}
