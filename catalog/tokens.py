"""Pulumi type tokens of the resources the platform creates and the policies look for.

Tokens are the engine's names for resource types (pulumi-azure-native and pulumi-kubernetes
schemas). Explicit API versions (`azure-native:ns/v20240401:Type`) are the same type to a policy.
"""

# Azure (pulumi-azure-native)
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
TRUSTED_ACCESS_ROLE_BINDING = "azure-native:containerservice:TrustedAccessRoleBinding"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
CONNECTED_CLUSTER = "azure-native:kubernetes:ConnectedCluster"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
ONLINE_DEPLOYMENT = "azure-native:machinelearningservices:OnlineDeployment"

# Kubernetes (pulumi-kubernetes)
HORIZONTAL_POD_AUTOSCALERS = frozenset(
    {
        "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2beta1:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2beta2:HorizontalPodAutoscaler",
    }
)
KEDA_SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
AUTOSCALERS = HORIZONTAL_POD_AUTOSCALERS | {KEDA_SCALED_OBJECT}

# This project's components.
ARC_CLUSTER_COMPONENT = "azureml-k8s:index:ArcCluster"
AKS_CLUSTER_COMPONENT = "azureml-k8s:index:AksCluster"

# The cluster components' outputs are a contract with the policy pack: Pulumi only reads an Arc
# connected cluster and never shows reads to policies, so the component attaching one carries its
# id and node count as outputs under these keys. Renaming one breaks policies in the field.
CLUSTER_OUTPUT_RESOURCE_ID = "clusterResourceId"
CLUSTER_OUTPUT_NODE_COUNT = "nodeCount"


def base_type(token: str) -> str:
    """azure-native:ns/v20240401:Type -> azure-native:ns:Type (explicit API versions)."""
    package, _, rest = token.partition(":")
    module, _, name = rest.partition(":")
    return f"{package}:{module.split('/')[0]}:{name}" if package == "azure-native" else token


def kubernetes_token(api_version: str, kind: str) -> str:
    """The pulumi-kubernetes token of an object: core objects live under `core/v1`."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"
