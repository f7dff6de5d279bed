"""AKS limits and naming rules, as AKS validates them, and Azure ML's production floor.

Sources:
- Node pool names, counts and max pods: Microsoft Learn, "Create node pools for a cluster in AKS"
  and "AKS quotas, virtual machine size restrictions, and region availability".
- Cluster names: Microsoft Learn, "Naming rules and restrictions for Azure resources"
  (Microsoft.ContainerService/managedClusters).
- Authorized IP ranges: Microsoft Learn, "Secure access to the API server using authorized IP
  address ranges in AKS" (at most 200 ranges; 0.0.0.0/32 alone; not for private clusters).
- Production capacity: Microsoft Learn, "Deploy Azure Machine Learning extension on AKS or Arc
  Kubernetes cluster", prerequisites (at least 4 vCPU and 14 GB in total).
"""

import re
from collections.abc import Iterable

from catalog import naming

NODE_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
NODE_POOL_NAME_RULE = "1 to 12 lowercase letters or digits, starting with a letter"
CLUSTER_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$")
CLUSTER_NAME_RULE = (
    "1 to 63 letters, digits, '-' or '_', starting and ending with a letter or digit"
)
MAX_NODES_PER_POOL = 1000
MAX_PODS_MIN, MAX_PODS_MAX = 10, 250
# key=value:Effect, as the az CLI checks it: a value is required and starts with a letter or
# digit; key up to 253 characters, value up to 63.
TAINT = re.compile(
    r"^[A-Za-z0-9][-A-Za-z0-9_./]{0,252}=[A-Za-z0-9][-A-Za-z0-9_.]{0,62}"
    r":(NoSchedule|PreferNoSchedule|NoExecute)$"
)
MAX_AUTHORIZED_IP_RANGES = 200
# The one range that means "no access except the AKS service"; it cannot be mixed with others.
NO_ACCESS_RANGE = "0.0.0.0/32"
# Azure ML's router (azureml-fe) runs 3 replicas with inferenceRouterHA, one per node (Learn
# "Deploy Azure Machine Learning extension on AKS or Arc Kubernetes cluster", settings table).
HA_MIN_NODES = 3
# Trusted Access role bindings one AKS cluster takes (Azure ML needs one per workspace).
TRUSTED_ACCESS_MAX_BINDINGS = 8
# Taint effects that keep a pod without a matching toleration off a node; PreferNoSchedule only
# discourages it. azureml-fe (installed by the extension) tolerates none of the stack's taints.
BLOCKING_TAINT_EFFECTS = frozenset({"NoSchedule", "NoExecute"})
PROD_MIN_VCPU = 4
PROD_MIN_MEMORY_GIB = 14

# The AKS Trusted Access role that lets an Azure ML workspace reach a cluster whose local
# accounts are disabled (Azure/AML-Kubernetes docs/azureml-aks-ta-support.md). One binding per
# workspace; computes attached before the binding must be re-attached.
TRUSTED_ACCESS_ROLE = "Microsoft.MachineLearningServices/workspaces/mlworkload"
# Trusted Access role binding names: 1 to 24 characters (Microsoft.ContainerService
# trustedAccessRoleBindings REST reference, name pattern and length).


def sure_nodes(count: object, min_count: object, autoscale: object) -> int:
    """Nodes a pool is sure to have: minCount under the cluster autoscaler, else its count.

    Accepts values as settings hold them (ints, bools) and as the engine hands them to policies
    (floats, "true" strings); a missing value counts as zero.
    """
    chosen = min_count if str(autoscale).lower() == "true" else count
    if isinstance(chosen, (int, float, str)):
        return int(chosen or 0)
    return 0


def admits_untolerating_pods(taints: object) -> bool:
    """Can a pod without tolerations (azureml-fe) run on nodes with these taints? Taints as AKS
    takes them, 'key=value:Effect' strings; a missing list is no taint."""
    if taints is None or isinstance(taints, (str, bytes)) or not isinstance(taints, Iterable):
        return True  # the engine hands policies list proxies: any iterable but a string
    return not any(str(t).rsplit(":", 1)[-1] in BLOCKING_TAINT_EFFECTS for t in taints)


def trusted_access_binding_name(workspace_name: str) -> str:
    """One binding per workspace, named after it within the binding name rule (a long or
    underscored workspace name is shortened with a digest, so two workspaces never share one)."""
    return naming.fit(naming.TRUSTED_ACCESS_BINDING, f"azureml-{workspace_name}".lower())


_AZ_CLI_ACS = "Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_validators.py"
SOURCES: dict[str, str] = {
    "NODE_POOL_NAME": (
        "Learn 'Create node pools' / 'Azure Linux node pools' note: starts with a lowercase "
        f"letter, lowercase letters and digits, 1-12 characters (Linux); {_AZ_CLI_ACS} "
        "_validate_nodepool_name (at most 12, alphanumeric)"
    ),
    "NODE_POOL_NAME_RULE": "as NODE_POOL_NAME",
    "CLUSTER_NAME": (
        f"{_AZ_CLI_ACS} validate_linux_host_name: "
        "^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$ (same language)"
    ),
    "CLUSTER_NAME_RULE": "as CLUSTER_NAME",
    "MAX_NODES_PER_POOL": f"{_AZ_CLI_ACS} validate_nodes_count: min/max count in [0,1000]",
    "MAX_PODS_MIN": "Learn 'Node auto-provisioning AKSNodeClass' maxPods 'Range: 10-250'",
    "MAX_PODS_MAX": "Learn 'Node auto-provisioning AKSNodeClass' maxPods 'Range: 10-250'",
    "TAINT": (
        f"{_AZ_CLI_ACS} validate_taint: key = letter or digit + up to 252 of [word - . /], value "
        "= letter or digit + up to 62 of [word - .], effect NoSchedule|PreferNoSchedule|"
        "NoExecute (corrected: an empty or '-'-led value used to pass)"
    ),
    "MAX_AUTHORIZED_IP_RANGES": (
        "Learn 'Secure access to the API server using authorized IP address ranges in AKS': "
        "'The upper limit for the number of IP ranges you can specify is 200'"
    ),
    "NO_ACCESS_RANGE": (
        f"{_AZ_CLI_ACS} validate_ip_ranges: 0.0.0.0/32 'is not allowed with other IP ranges'; "
        "Learn: 0.0.0.0/32 allows only the outbound public IP of the Standard load balancer"
    ),
    "HA_MIN_NODES": (
        "Learn 'Deploy Azure Machine Learning extension' settings table, inferenceRouterHA: "
        "three replicas need at least three worker nodes; Azure/azure-cli-extensions "
        "AzureMLKubernetes.py (3f6c0dae) sets inferenceRouterHA=false below 3 nodes"
    ),
    "BLOCKING_TAINT_EFFECTS": (
        "Kubernetes docs 'Taints and Tolerations': NoSchedule and NoExecute keep pods without a "
        "matching toleration off the node, PreferNoSchedule only avoids it; unconfirmed: the "
        "extension's azureml-fe pods carry no tolerations for user taints (none are documented)"
    ),
    "admits_untolerating_pods": "BLOCKING_TAINT_EFFECTS",
    "TRUSTED_ACCESS_MAX_BINDINGS": (
        "Learn 'Get secure access for Azure resources in Azure Kubernetes Service by using "
        "Trusted Access', https://learn.microsoft.com/azure/aks/trusted-access-feature: 'You can "
        "create up to 8 Trusted Access role bindings in an AKS cluster'"
    ),
    "PROD_MIN_VCPU": (
        "Learn 'Deploy Azure Machine Learning extension', Prerequisites: production needs "
        "a minimum of 4 vCPU cores and 14-GB memory"
    ),
    "PROD_MIN_MEMORY_GIB": "as PROD_MIN_VCPU",
    "TRUSTED_ACCESS_ROLE": (
        "Azure/AML-Kubernetes docs (AKS Trusted Access): role binding "
        "Microsoft.MachineLearningServices/workspaces/mlworkload, one per workspace; "
        "hashicorp/terraform-provider-azurerm trusted access acceptance test"
    ),
    "sure_nodes": (
        "project rule: nodes a pool is sure to have (minCount under the autoscaler); the az CLI "
        "sums agentPoolProfiles[].count for its under-3-nodes check (AzureMLKubernetes.py)"
    ),
    "trusted_access_binding_name": "naming.TRUSTED_ACCESS_BINDING (one binding per workspace)",
}
