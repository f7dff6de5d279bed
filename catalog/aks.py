"""AKS limits and naming rules, as AKS validates them, and Azure ML's production floor.

Sources:
- Node pool names, counts and max pods: Microsoft Learn, "Create node pools for a cluster in AKS"
  and "AKS quotas, virtual machine size restrictions, and region availability".
- Cluster names: Microsoft Learn, "Naming rules and restrictions for Azure resources"
  (Microsoft.ContainerService/managedClusters).
- Authorized IP ranges: Microsoft Learn, "Secure access to the API server using authorized IP
  address ranges in AKS" (at most 200 ranges; 0.0.0.0/32 alone; not for private clusters).
- Production capacity: seeds/001 prerequisites (at least 4 vCPU and 14 GB in total).
"""

import re

NODE_POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
NODE_POOL_NAME_RULE = "1 to 12 lowercase letters or digits, starting with a letter"
CLUSTER_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$")
CLUSTER_NAME_RULE = (
    "1 to 63 letters, digits, '-' or '_', starting and ending with a letter or digit"
)
MAX_NODES_PER_POOL = 1000
MAX_PODS_MIN, MAX_PODS_MAX = 10, 250
TAINT = re.compile(
    r"^[A-Za-z0-9][-A-Za-z0-9_./]*=[-A-Za-z0-9_.]*:(NoSchedule|PreferNoSchedule|NoExecute)$"
)
MAX_AUTHORIZED_IP_RANGES = 200
# The one range that means "no access except the AKS service"; it cannot be mixed with others.
NO_ACCESS_RANGE = "0.0.0.0/32"
# Azure ML's router (azureml-fe) runs 3 replicas with inferenceRouterHA, one per node (seeds/001).
HA_MIN_NODES = 3
PROD_MIN_VCPU = 4
PROD_MIN_MEMORY_GIB = 14

# The AKS Trusted Access role that lets an Azure ML workspace reach a cluster whose local
# accounts are disabled (Azure/AML-Kubernetes docs/azureml-aks-ta-support.md). One binding per
# workspace; computes attached before the binding must be re-attached.
TRUSTED_ACCESS_ROLE = "Microsoft.MachineLearningServices/workspaces/mlworkload"
# Trusted Access role binding names: 1 to 24 characters (Microsoft.ContainerService
# trustedAccessRoleBindings REST reference, name pattern and length).
TRUSTED_ACCESS_BINDING_NAME_MAX = 24


def sure_nodes(count: object, min_count: object, autoscale: object) -> int:
    """Nodes a pool is sure to have: minCount under the cluster autoscaler, else its count.

    Accepts values as settings hold them (ints, bools) and as the engine hands them to policies
    (floats, "true" strings); a missing value counts as zero.
    """
    chosen = min_count if str(autoscale).lower() == "true" else count
    return int(chosen or 0)


def trusted_access_binding_name(workspace_name: str) -> str:
    """One binding per workspace, named after it within AKS's length limit."""
    name = f"azureml-{workspace_name}"[:TRUSTED_ACCESS_BINDING_NAME_MAX]
    return name.rstrip("-").lower()
