"""Kubernetes and Azure ML workload facts the policies look for.

Sources: Kubernetes API reference (HorizontalPodAutoscaler); KEDA docs (ScaledObject); Azure ML
compute ARM schema (Microsoft.MachineLearningServices/workspaces/computes, computeType Kubernetes,
namespace default "default"; Learn "Introduction to Kubernetes compute target in Azure Machine
Learning"); "never enable a Kubernetes HPA on model deployments, it fights azureml-fe" (Learn
"Azure Machine Learning inference router and connectivity requirements", autoscaling).
"""

KUBERNETES_COMPUTE = "Kubernetes"
DEFAULT_NAMESPACE = "default"
# Labels that mark Azure ML's workloads: `isazuremlapp: "true"` on model deployments
# (confirmed for AKS v1 web services), `azuremlappname` (v1 web services and azureml-fe), and the
# `ml.azure.com/` prefix (the extension's own pods). The match is broad on purpose: an autoscaler
# on azureml-fe or another extension component fights Azure ML as much as one on a model.
AZUREML_LABEL_KEYS = frozenset({"isazuremlapp", "azuremlappname"})
AZUREML_LABEL_PREFIX = "ml.azure.com/"
# A VerticalPodAutoscaler evicts (and so resizes) pods in these update modes; unset means Auto
# (Kubernetes autoscaler, vertical-pod-autoscaler docs, "Update modes").
VPA_DEFAULT_UPDATE_MODE = "Auto"
VPA_EVICTING_UPDATE_MODES = frozenset({"Auto", "Recreate", "InPlaceOrRecreate"})

SOURCES: dict[str, str] = {
    "KUBERNETES_COMPUTE": (
        "computeType 'Kubernetes' (ComputeType enum, pinned pulumi-azure-native 3.29.0; ARM "
        "Microsoft.MachineLearningServices/workspaces/computes)"
    ),
    "DEFAULT_NAMESPACE": (
        "KubernetesProperties.namespace defaults to 'default' (pinned pulumi-azure-native "
        "3.29.0 machinelearningservices inputs)"
    ),
    "AZUREML_LABEL_KEYS": (
        "isazuremlapp: Learn v1 'Use Azure AD identity with your machine learning web service "
        "in AKS' (kubectl get deployment --selector=isazuremlapp=true); azuremlappname: Learn "
        "'Troubleshoot Kubernetes compute' (-l azuremlappname=azureml-fe); unconfirmed: the "
        "labels of extension (v2) online deployment pods"
    ),
    "AZUREML_LABEL_PREFIX": (
        "ml.azure.com/amlarc-system and ml.azure.com/infra-app on the extension's pods "
        "(kubectl --show-labels listings of namespace azureml); unconfirmed on v2 model pods"
    ),
    "VPA_DEFAULT_UPDATE_MODE": (
        "Kubernetes autoscaler, vertical-pod-autoscaler docs, 'Update modes' (unset means Auto)"
    ),
    "VPA_EVICTING_UPDATE_MODES": (
        "Kubernetes autoscaler, vertical-pod-autoscaler docs, 'Update modes' (Auto, Recreate, "
        "InPlaceOrRecreate evict or resize pods)"
    ),
}
