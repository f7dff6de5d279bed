"""The Azure ML extension (`Microsoft.AzureML.Kubernetes`): its settings and what the CLI does.

Raw ARM calls with only the documented keys do not work (hashicorp/terraform-provider-azurerm
#24547): `az k8s-extension create` validates the user-facing keys, rewrites some of them to
internal `scoringFe.*` keys and fills in facts about the cluster before it calls ARM. This module
reproduces that, as pure functions on plain strings, so the component, the settings validation,
the policies and the tests share one copy. What the CLI does with them (validation, rewriting,
fill-ins, the relay's name) is catalog.extension_cli's.

Sources:
- Documented keys and defaults: Microsoft Learn "Deploy Azure Machine Learning extension on AKS or
  Arc Kubernetes cluster", settings table,
  https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension.
- CLI behaviour: Azure/azure-cli-extensions, src/k8s-extension/azext_k8s_extension/
  partner_extensions/AzureMLKubernetes.py (create path; commit 3f6c0dae).
- Update rules: Azure/AML-Kubernetes docs/deploy-extension.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from catalog import arm

EXTENSION_TYPE = "Microsoft.AzureML.Kubernetes"
RELEASE_NAMESPACE = "azureml"  # the CLI forces it, whatever --release-namespace says
RELEASE_TRAIN: Final = "stable"
ARM_TYPE = "Microsoft.KubernetesConfiguration/extensions"

# cluster kind -> its ARM kind, whose namespace and type are the extension's clusterRp and
# clusterResourceName.
CLUSTER_KINDS = {"aks": arm.MANAGED_CLUSTER, "arc": arm.CONNECTED_CLUSTER}
CLUSTER_RP = {
    kind: (arm_kind.namespace, arm_kind.types[0]) for kind, arm_kind in CLUSTER_KINDS.items()
}


@dataclass(frozen=True)
class Setting:
    default: str | None
    meaning: str


# The documented user-facing settings (the Learn extension page's settings table). Values travel as strings; booleans as
# "True"/"False". `nodeSelector` is a prefix: nodeSelector.<label>=<value>.
SETTINGS: dict[str, Setting] = {
    "enableTraining": Setting("False", "training jobs and batch scoring"),
    "enableInference": Setting("False", "real-time inference (azureml-fe)"),
    "allowInsecureConnections": Setting("False", "HTTP scoring endpoints; dev/test only"),
    "inferenceRouterServiceType": Setting(None, "loadBalancer, nodePort or clusterIP"),
    "internalLoadBalancerProvider": Setting(None, "'azure' for an internal load balancer (AKS)"),
    "sslSecret": Setting(None, "Secret in namespace azureml holding cert.pem and key.pem"),
    "sslCname": Setting(None, "host name of the HTTPS scoring endpoint"),
    "inferenceRouterHA": Setting("True", "3 azureml-fe replicas; needs 3 or more nodes"),
    "nodeSelector": Setting(
        None, "nodeSelector.<label>=<value> pins the extension and ML workloads"
    ),
    "installNvidiaDevicePlugin": Setting("False", "NVIDIA device plugin DaemonSet"),
    "installPromOp": Setting("True", "Prometheus operator; False reuses an existing one"),
    "installVolcano": Setting("True", "Volcano scheduler; False reuses an existing one"),
    "installDcgmExporter": Setting("False", "dcgm-exporter DaemonSet for GPU metrics"),
}
PROTECTED_SETTINGS: dict[str, Setting] = {
    "sslCertPemFile": Setting(None, "path of the PEM certificate (no passphrase)"),
    "sslKeyPemFile": Setting(None, "path of the PEM private key (no passphrase)"),
}
BOOLEAN_SETTINGS = frozenset(k for k, s in SETTINGS.items() if s.default in ("True", "False"))
SERVICE_TYPES = ("loadBalancer", "nodePort", "clusterIP")
NODE_SELECTOR_PREFIX = "nodeSelector."

# Internal keys the CLI writes (exact spellings from AzureMLKubernetes.py).
NODE_PORT_KEY = "scoringFe.serviceType.nodePort"
INTERNAL_LB_KEY = "scoringFe.serviceType.internalLoadBalancer"
SSL_SECRET_KEY = "scoringFe.sslSecret"
SSL_CERT_KEY = "scoringFe.sslCert"
SSL_KEY_KEY = "scoringFe.sslKey"
RELAY_CONNECTION_KEY = "relayServerConnectionString"
RELAY_AUTH_RULE = "azureml_rw"
RELAY_RIGHTS = ("Manage", "Send", "Listen")

# user-facing spelling -> internal spelling, so policies can recognise either.
REWRITES: dict[str, str] = {
    "inferenceRouterServiceType=nodePort": NODE_PORT_KEY,
    "internalLoadBalancerProvider=azure": INTERNAL_LB_KEY,
    "sslSecret": SSL_SECRET_KEY,
    "sslCertPemFile": SSL_CERT_KEY,
    "sslKeyPemFile": SSL_KEY_KEY,
}

# The CLI copies a key to its aliases when the alias is unset ("reference_mapping").
ALIASES: dict[str, tuple[str, ...]] = {
    RELAY_CONNECTION_KEY: ("relayserver.relayConnectionString",),
    "cluster_name": ("clusterId", "prometheus.prometheusSpec.externalLabels.cluster_name"),
}

# Keys the CLI fills in on every create (cluster facts and component switches); an extension
# created without them (raw ARM, Bicep, Terraform) installs but does not work (azurerm #24547).
CLI_FILLED_KEYS = (
    "cluster_name",
    "clusterId",
    "prometheus.prometheusSpec.externalLabels.cluster_name",
    "location",
    "jobSchedulerLocation",
    "cluster_name_friendly",
    "domain",
    "servicebus.enabled",
    "relayserver.enabled",
    "nginxIngress.enabled",
)

# Changing these on a running extension disrupts workloads (deploy-extension.md, CLI update
# prompt). Disabling a feature is disruptive; enabling it is not.
DISRUPTIVE_ON_CHANGE = (
    "allowInsecureConnections",
    "inferenceRouterServiceType",
    "internalLoadBalancerProvider",
    "sslCname",
)
DISRUPTIVE_ON_DISABLE = ("enableTraining", "enableInference", "installNvidiaDevicePlugin")


class ExtensionConfigError(ValueError):
    """A rule the az CLI enforces was broken. `key` names the setting at fault."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def is_true(value: object) -> bool:
    """The CLI's test for a flag: only 'true', in any case, counts."""
    return str(value).lower() == "true"


def wire_bool(value: bool) -> str:
    """How a Python bool reaches ARM through the CLI's SDK: str(True) == 'True'."""
    return str(bool(value))


@dataclass(frozen=True)
class ClusterFacts:
    kind: str  # "aks" | "arc"
    subscription_id: str
    resource_group: str
    name: str
    location: str
    node_count: int
    distribution: str = ""  # Arc only; "openshift" sets openshift=true

    @property
    def resource_id(self) -> str:
        return arm.build(
            self.subscription_id, self.resource_group, CLUSTER_KINDS[self.kind], self.name
        )


def disruptive_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Why an update from `before` to `after` configurationSettings disrupts running workloads."""
    reasons = []
    for key in DISRUPTIVE_ON_CHANGE:
        if str(before.get(key, "")).lower() != str(after.get(key, "")).lower():
            reasons.append(
                f"{key} changed ({before.get(key)!r} -> {after.get(key)!r}): running "
                "online endpoints are disrupted"
            )
    for key in DISRUPTIVE_ON_DISABLE:
        if is_true(before.get(key)) and not is_true(after.get(key)):
            reasons.append(f"{key} turned off: running workloads that need it stop")
    for key in sorted(before):
        if key.startswith(NODE_SELECTOR_PREFIX) and key not in after:
            reasons.append(
                f"{key} removed: node selector keys cannot be removed from an "
                "installed extension (uninstall and reinstall instead)"
            )
    return reasons


_LEARN_EXT = "Learn 'Deploy Azure Machine Learning extension on AKS or Arc Kubernetes cluster'"
_CLI = (
    "Azure/azure-cli-extensions src/k8s-extension/azext_k8s_extension/partner_extensions/"
    "AzureMLKubernetes.py @ 3f6c0dae"
)
SOURCES: dict[str, str] = {
    "EXTENSION_TYPE": f"{_LEARN_EXT} (--extension-type Microsoft.AzureML.Kubernetes)",
    "RELEASE_NAMESPACE": f"{_CLI}: release_namespace forced to DEFAULT_RELEASE_NAMESPACE 'azureml'",
    "RELEASE_TRAIN": f"{_CLI}: release_train defaults to 'stable'",
    "ARM_TYPE": "Microsoft.KubernetesConfiguration/extensions (cluster extension ARM type)",
    "CLUSTER_KINDS": f"{_LEARN_EXT}: --cluster-type managedClusters (AKS) | connectedClusters (Arc)",
    "CLUSTER_RP": f"{_CLI}: clusterRp/clusterResourceName from the cluster type",
    "SETTINGS": f"{_LEARN_EXT}, configuration settings table (keys and defaults)",
    "PROTECTED_SETTINGS": f"{_LEARN_EXT}, protected settings table (no passphrase)",
    "BOOLEAN_SETTINGS": "SETTINGS whose documented default is True or False",
    "SERVICE_TYPES": f"{_CLI} _is_valid_service_type (case-insensitive)",
    "NODE_SELECTOR_PREFIX": f"{_LEARN_EXT}: nodeSelector.key1=value1",
    "NODE_PORT_KEY": f"{_CLI}: scoringFe.serviceType.nodePort",
    "INTERNAL_LB_KEY": f"{_CLI}: scoringFe.serviceType.internalLoadBalancer",
    "SSL_SECRET_KEY": f"{_CLI}: scoringFe.sslSecret",
    "SSL_CERT_KEY": f"{_CLI}: protected scoringFe.sslCert (base64 PEM)",
    "SSL_KEY_KEY": f"{_CLI}: protected scoringFe.sslKey (base64 PEM)",
    "RELAY_CONNECTION_KEY": f"{_CLI}: relayServerConnectionString",
    "RELAY_AUTH_RULE": f"{_CLI}: RELAY_HC_AUTH_NAME 'azureml_rw'",
    "RELAY_RIGHTS": f"{_CLI}: auth_rule_rights Manage, Send, Listen",
    "REWRITES": f"{_CLI}: __validate_scoring_fe_settings and __set_up_inference_ssl",
    "ALIASES": (
        f"{_CLI}: reference_mapping (serviceBusConnectionString left out: the CLI turns "
        "Service Bus off and the project never sets it)"
    ),
    "DISRUPTIVE_ON_CHANGE": f"{_CLI} Update prompt (changing these impacts online endpoints)",
    "DISRUPTIVE_ON_DISABLE": f"{_CLI} Update prompt (disabling training, inference, NVIDIA plugin)",
    "is_true": f"{_CLI}: str(value).lower() == 'true'",
    "wire_bool": f"{_CLI} writes Python bools; the SDK serializes str(True) == 'True'",
    "disruptive_changes": "DISRUPTIVE_ON_CHANGE, DISRUPTIVE_ON_DISABLE; nodeSelector keys stay",
    "CLI_FILLED_KEYS": (
        f"{_CLI} Create: the keys it fills in; hashicorp/terraform-provider-azurerm #24547"
    ),
}
