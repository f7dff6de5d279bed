"""Kubernetes and Azure ML resource shapes the policies look for.

Sources: Kubernetes API reference (HorizontalPodAutoscaler in autoscaling/v1, v2, v2beta1,
v2beta2); KEDA docs (ScaledObject, keda.sh/v1alpha1); Azure ML compute ARM schema
(Microsoft.MachineLearningServices/workspaces/computes, computeType Kubernetes, namespace default
"default"; seeds/004); "never enable a Kubernetes HPA on model deployments, it fights azureml-fe"
(seeds/002, seeds/003).
"""

AUTOSCALER_TYPES = frozenset(
    {
        "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2beta1:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2beta2:HorizontalPodAutoscaler",
        "kubernetes:keda.sh/v1alpha1:ScaledObject",
    }
)
COMPUTE_TYPE = "azure-native:machinelearningservices:Compute"
ONLINE_DEPLOYMENT_TYPE = "azure-native:machinelearningservices:OnlineDeployment"
KUBERNETES_COMPUTE = "Kubernetes"
DEFAULT_NAMESPACE = "default"
# Labels Azure ML puts on the model workloads it runs: `isazuremlapp` (AKS inference, v1 and the
# extension's inference pods) and the `ml.azure.com/` prefix of the extension's objects.
AZUREML_LABEL_KEYS = frozenset({"isazuremlapp", "azuremlappname"})
AZUREML_LABEL_PREFIX = "ml.azure.com/"

MANAGED_CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
AGENT_POOL_TYPE = "azure-native:containerservice:AgentPool"
EXTENSION_TYPE_TOKEN = "azure-native:kubernetesconfiguration:Extension"


def base_type(token: str) -> str:
    """azure-native:ns/v20240401:Type -> azure-native:ns:Type (explicit API versions)."""
    package, _, rest = token.partition(":")
    module, _, name = rest.partition(":")
    return f"{package}:{module.split('/')[0]}:{name}" if package == "azure-native" else token
