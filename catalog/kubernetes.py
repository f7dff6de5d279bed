"""Kubernetes and Azure ML workload facts the policies look for.

Sources: Kubernetes API reference (HorizontalPodAutoscaler); KEDA docs (ScaledObject); Azure ML
compute ARM schema (Microsoft.MachineLearningServices/workspaces/computes, computeType Kubernetes,
namespace default "default"; seeds/004); "never enable a Kubernetes HPA on model deployments, it
fights azureml-fe" (seeds/002, seeds/003).
"""

KUBERNETES_COMPUTE = "Kubernetes"
DEFAULT_NAMESPACE = "default"
# Labels Azure ML puts on the model workloads it runs: `isazuremlapp` (AKS inference, v1 and the
# extension's inference pods) and the `ml.azure.com/` prefix of the extension's objects.
AZUREML_LABEL_KEYS = frozenset({"isazuremlapp", "azuremlappname"})
AZUREML_LABEL_PREFIX = "ml.azure.com/"
