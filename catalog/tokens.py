"""Pulumi type tokens of the resources the platform creates and the policies look for.

Tokens are the engine's names for resource types (pulumi-azure-native and pulumi-kubernetes
schemas). Explicit API versions (`azure-native:ns/v20240401:Type`) are the same type to a policy.
"""

# Azure (pulumi-azure-native)
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
TRUSTED_ACCESS_ROLE_BINDING = "azure-native:containerservice:TrustedAccessRoleBinding"
MAINTENANCE_CONFIGURATION = "azure-native:containerservice:MaintenanceConfiguration"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
CONNECTED_CLUSTER = "azure-native:kubernetes:ConnectedCluster"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
ONLINE_DEPLOYMENT = "azure-native:machinelearningservices:OnlineDeployment"
WORKSPACE = "azure-native:machinelearningservices:Workspace"
MODEL_VERSION = "azure-native:machinelearningservices:ModelVersion"
REGISTRY_MODEL_VERSION = "azure-native:machinelearningservices:RegistryModelVersion"
REGISTRY_MODEL_CONTAINER = "azure-native:machinelearningservices:RegistryModelContainer"
DNS_RECORD_SET = "azure-native:dns:RecordSet"
PRIVATE_DNS_RECORD_SET = "azure-native:privatedns:PrivateRecordSet"

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
VERTICAL_POD_AUTOSCALERS = frozenset(
    {
        "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler",
        "kubernetes:autoscaling.k8s.io/v1beta2:VerticalPodAutoscaler",
    }
)
# Azure ML's instance type custom resource (catalog.instance_types).
INSTANCE_TYPE = "kubernetes:amlarc.azureml.com/v1alpha1:InstanceType"

# This project's components.
ARC_CLUSTER_COMPONENT = "azureml-k8s:index:ArcCluster"
AKS_CLUSTER_COMPONENT = "azureml-k8s:index:AksCluster"

# The cluster components' outputs are a contract with the policy pack: Pulumi only reads an Arc
# connected cluster and never shows reads to policies, so the component attaching one carries its
# id and node count as outputs under these keys. Renaming one breaks policies in the field.
CLUSTER_OUTPUT_RESOURCE_ID = "clusterResourceId"
CLUSTER_OUTPUT_NODE_COUNT = "nodeCount"

# The stand-in preflight passes for a secure config value it cannot decrypt (no
# PULUMI_CONFIG_PASSPHRASE): settings skip content checks (PEM) on it, nothing else.
PREVIEW_SECRET_PLACEHOLDER = "preflight-secret-placeholder"
# The environment variable through which preflight tells the program which stack file its config
# came from, so that settings errors name it.
PREVIEW_CONFIG_FILE_ENV = "PREFLIGHT_CONFIG_FILE"
# A fleet site's stack is `site-<name>`: its settings come from the fleet inventory.
FLEET_STACK_PREFIX = "site-"


def base_type(token: str) -> str:
    """azure-native:ns/v20240401:Type -> azure-native:ns:Type (explicit API versions)."""
    package, _, rest = token.partition(":")
    module, _, name = rest.partition(":")
    return f"{package}:{module.split('/')[0]}:{name}" if package == "azure-native" else token


def kubernetes_token(api_version: str, kind: str) -> str:
    """The pulumi-kubernetes token of an object: core objects live under `core/v1`."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"


_AZURE_SDK = "token in the pinned pulumi-azure-native 3.29.0 SDK (package index)"
_K8S_SDK = "token in the pinned pulumi-kubernetes 4.34.2 SDK (package index)"
_CRD = "pulumi-kubernetes token of a custom resource: kubernetes:<apiVersion>:<kind>"
SOURCES: dict[str, str] = {
    "RESOURCE_GROUP": _AZURE_SDK,
    "MANAGED_CLUSTER": _AZURE_SDK,
    "AGENT_POOL": _AZURE_SDK,
    "TRUSTED_ACCESS_ROLE_BINDING": _AZURE_SDK,
    "MAINTENANCE_CONFIGURATION": _AZURE_SDK,
    "DNS_RECORD_SET": _AZURE_SDK,
    "PRIVATE_DNS_RECORD_SET": _AZURE_SDK,
    "EXTENSION": _AZURE_SDK,
    "CONNECTED_CLUSTER": _AZURE_SDK,
    "COMPUTE": _AZURE_SDK,
    "ONLINE_ENDPOINT": _AZURE_SDK,
    "ONLINE_DEPLOYMENT": _AZURE_SDK,
    "HORIZONTAL_POD_AUTOSCALERS": f"autoscaling v1, v2, v2beta1, v2beta2: {_K8S_SDK}",
    "KEDA_SCALED_OBJECT": f"KEDA ScaledObject, apiVersion keda.sh/v1alpha1 (KEDA docs); {_CRD}",
    "AUTOSCALERS": "HORIZONTAL_POD_AUTOSCALERS and KEDA_SCALED_OBJECT",
    "ARC_CLUSTER_COMPONENT": "project contract: component tokens azureml-k8s:index:<Class>, read by the policy pack",
    "AKS_CLUSTER_COMPONENT": "project contract: component tokens azureml-k8s:index:<Class>, read by the policy pack",
    "CLUSTER_OUTPUT_RESOURCE_ID": "project contract between cluster components and policies",
    "CLUSTER_OUTPUT_NODE_COUNT": "project contract between cluster components and policies",
    "base_type": (
        "Pulumi azure-native version guide: an explicit API version is the module "
        "azure-native:<ns>/v<date>, the same resource type"
    ),
    "PREVIEW_SECRET_PLACEHOLDER": "project contract between preflight (stackfile.py) and the "
    "settings: what stands in for a secure value preflight cannot decrypt",
    "PREVIEW_CONFIG_FILE_ENV": "project contract between preflight (runner.py) and the "
    "settings (loading.py): the stack file named in settings errors",
    "FLEET_STACK_PREFIX": "project contract between the fleet inventory (stacks/settings/"
    "inventory.py) and preflight: the stacks whose settings are an inventory site's",
    "kubernetes_token": f"core group objects are kubernetes:core/v1:<Kind>, {_K8S_SDK}",
    "WORKSPACE": _AZURE_SDK,
    "MODEL_VERSION": _AZURE_SDK,
    "REGISTRY_MODEL_VERSION": _AZURE_SDK,
    "REGISTRY_MODEL_CONTAINER": _AZURE_SDK,
    "VERTICAL_POD_AUTOSCALERS": (
        f"VerticalPodAutoscaler, autoscaling.k8s.io v1 and v1beta2 (Kubernetes autoscaler "
        f"VPA CRD); {_CRD}"
    ),
    "INSTANCE_TYPE": (
        "Learn 'Create and manage instance types': apiVersion amlarc.azureml.com/v1alpha1, "
        f"kind InstanceType; {_CRD}"
    ),
}
