"""A compliant Azure ML platform as the engine hands it to stack policies, built by hand.

Properties go through the runtime's own path (protobuf Struct -> deserialize -> unknown-checking
proxy), so numbers arrive as floats and unknowns raise when read. Edges are set the way the
engine sets them: `dependencies` and `propertyDependencies` as resource objects, `parent` too.

Every ARM resource group name is unknown (as when a program takes it from an auto-named
ResourceGroup): the policies must answer from the graph without reading it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi_policy import PolicyResource, PolicyResourceOptions
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from catalog import extension as catalog_extension
from catalog import regions
from policy import pack

UNKNOWN = UNKNOWN_STRING_VALUE
ROLE = "Microsoft.MachineLearningServices/workspaces/mlworkload"


def wrap(props: dict) -> Any:
    struct = struct_pb2.Struct()
    json_format.ParseDict(props, struct)
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(struct)))


@dataclass
class Spec:
    type: str
    props: dict
    deps: list[str] = field(default_factory=list)  # names depended on (all edges)
    prop_deps: dict[str, list[str]] = field(default_factory=dict)  # property -> names
    secret_outputs: list[str] = field(default_factory=list)
    parent: str | None = None


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::platform::{type_}::{name}"


def build(world: dict[str, Spec]) -> list[PolicyResource]:
    made = {}
    for name, spec in world.items():
        opts = PolicyResourceOptions(False, [], False, [], [], spec.secret_outputs, None)
        made[name] = PolicyResource(
            spec.type, wrap(spec.props), urn(spec.type, name), name, opts, None, None, [], {}
        )
    for name, spec in world.items():
        resource = made[name]
        edges = list(spec.deps) + [n for names in spec.prop_deps.values() for n in names]
        resource.dependencies.extend(made[n] for n in dict.fromkeys(edges) if n in made)
        for prop, names in spec.prop_deps.items():
            resource.property_dependencies[prop] = [made[n] for n in names if n in made]
        if spec.parent:
            resource.parent = made[spec.parent]
    return list(made.values())


AUTHORIZED = ["203.0.113.0/24"] + [
    *regions.control_plane_ranges("westeurope"),
    *regions.control_plane_ranges("northeurope"),
]
CLI_KEYS = {key: "filled-by-cli" for key in catalog_extension.CLI_FILLED_KEYS} | {
    "relayserver.enabled": "false",
    "nginxIngress.enabled": "true",
}
INSTANCE_TYPE_SPEC = {
    "nodeSelector": {"accelerator": "a100"},
    "resources": {
        "requests": {"cpu": "4", "memory": "16Gi"},
        "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": 1},
    },
}


def baseline() -> dict[str, Spec]:
    """A production platform every policy passes."""
    return copy.deepcopy(
        {
            "rg": Spec(
                "azure-native:resources:ResourceGroup",
                {"resourceGroupName": UNKNOWN, "location": "westeurope"},
            ),
            "aks": Spec(
                "azure-native:containerservice/v20240901:ManagedCluster",
                {
                    "resourceGroupName": UNKNOWN,
                    "resourceName": "mlprod",
                    "location": "westeurope",
                    "identity": {"type": "SystemAssigned"},
                    "disableLocalAccounts": True,
                    "agentPoolProfiles": [
                        {
                            "name": "system",
                            "count": 3,
                            "mode": "System",
                            "vmSize": "Standard_D4s_v5",
                        }
                    ],
                    "apiServerAccessProfile": {"authorizedIPRanges": list(AUTHORIZED)},
                    "addonProfiles": {"omsagent": {"enabled": True}},
                    "securityProfile": {"defender": {"securityMonitoring": {"enabled": True}}},
                    "sku": {"name": "Base", "tier": "Standard"},
                    "autoUpgradeProfile": {
                        "upgradeChannel": "patch",
                        "nodeOSUpgradeChannel": "NodeImage",
                    },
                },
                prop_deps={"resourceGroupName": ["rg"]},
            ),
            **{
                name: Spec(
                    "azure-native:containerservice:MaintenanceConfiguration",
                    {
                        "resourceGroupName": UNKNOWN,
                        "resourceName": UNKNOWN,
                        "configName": name,
                        "maintenanceWindow": {
                            "schedule": {"weekly": {"dayOfWeek": "Sunday", "intervalWeeks": 1}},
                            "startTime": "00:00",
                            "durationHours": 4,
                        },
                    },
                    prop_deps={"resourceGroupName": ["rg"], "resourceName": ["aks"]},
                )
                for name in ("aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule")
            },
            "gpu": Spec(
                "azure-native:containerservice:AgentPool",
                {
                    "resourceGroupName": UNKNOWN,
                    "resourceName": UNKNOWN,
                    "agentPoolName": "gpu",
                    "vmSize": "Standard_NC24ads_A100_v4",
                    "count": 0,
                    "minCount": 0,
                    "maxCount": 2,
                    "enableAutoScaling": True,
                    "nodeLabels": {"accelerator": "a100"},
                },
                prop_deps={"resourceGroupName": ["rg"], "resourceName": ["aks"]},
            ),
            "ml": Spec(
                "azure-native:kubernetesconfiguration:Extension",
                {
                    "resourceGroupName": UNKNOWN,
                    "clusterName": UNKNOWN,
                    "clusterRp": "Microsoft.ContainerService",
                    "clusterResourceName": "managedClusters",
                    "extensionType": "Microsoft.AzureML.Kubernetes",
                    "configurationSettings": {
                        **CLI_KEYS,
                        "clusterId": UNKNOWN,
                        "enableTraining": "True",
                        "enableInference": "True",
                        "inferenceRouterServiceType": "loadBalancer",
                        "inferenceRouterHA": "True",
                        "sslCname": "scoring.catalog_extension.contoso.com",
                        "sslSecret": "azureml-fe-tls",
                        catalog_extension.SSL_SECRET_KEY: "azureml-fe-tls",
                        "installNvidiaDevicePlugin": "True",
                    },
                },
                prop_deps={
                    "resourceGroupName": ["rg"],
                    "clusterName": ["aks"],
                    "configurationSettings": ["aks"],
                },
            ),
            "ws": Spec(
                "azure-native:machinelearningservices:Workspace",
                {"resourceGroupName": UNKNOWN, "workspaceName": "mlw"},
                prop_deps={"resourceGroupName": ["rg"]},
            ),
            "ta": Spec(
                "azure-native:containerservice:TrustedAccessRoleBinding",
                {
                    "resourceGroupName": UNKNOWN,
                    "resourceName": UNKNOWN,
                    "roles": [ROLE],
                    "sourceResourceId": UNKNOWN,
                    "trustedAccessRoleBindingName": "azureml-mlw",
                },
                prop_deps={
                    "resourceGroupName": ["rg"],
                    "resourceName": ["aks"],
                    "sourceResourceId": ["ws"],
                },
            ),
            "compute": Spec(
                "azure-native:machinelearningservices:Compute",
                {
                    "resourceGroupName": UNKNOWN,
                    "workspaceName": UNKNOWN,
                    "computeName": "k8s-team-a",
                    "properties": {
                        "computeType": "Kubernetes",
                        "resourceId": UNKNOWN,
                        "properties": {
                            "namespace": "team-a",
                            "instanceTypes": {"gpu": copy.deepcopy(INSTANCE_TYPE_SPEC)},
                        },
                    },
                },
                prop_deps={
                    "resourceGroupName": ["rg"],
                    "workspaceName": ["ws"],
                    "properties": ["aks", "ml"],
                },
            ),
            "compute-b": Spec(
                "azure-native:machinelearningservices:Compute",
                {
                    "resourceGroupName": UNKNOWN,
                    "workspaceName": UNKNOWN,
                    "computeName": "k8s-team-b",
                    "properties": {
                        "computeType": "Kubernetes",
                        "resourceId": UNKNOWN,
                        "properties": {"namespace": "team-b"},
                    },
                },
                prop_deps={
                    "resourceGroupName": ["rg"],
                    "workspaceName": ["ws"],
                    "properties": ["aks", "ml"],
                },
            ),
            "it": Spec(
                "kubernetes:amlarc.azureml.com/v1alpha1:InstanceType",
                {
                    "apiVersion": "amlarc.azureml.com/v1alpha1",
                    "kind": "InstanceType",
                    "metadata": {"name": "gpu"},
                    "spec": copy.deepcopy(INSTANCE_TYPE_SPEC),
                },
            ),
            "score": Spec(
                "azure-native:machinelearningservices:OnlineEndpoint",
                {
                    "resourceGroupName": UNKNOWN,
                    "workspaceName": UNKNOWN,
                    "endpointName": "score",
                    "properties": {"authMode": "Key", "compute": UNKNOWN},
                },
                prop_deps={"workspaceName": ["ws"], "properties": ["compute"]},
            ),
            "blue": Spec(
                "azure-native:machinelearningservices:OnlineDeployment",
                {
                    "resourceGroupName": UNKNOWN,
                    "workspaceName": UNKNOWN,
                    "endpointName": "score",
                    "deploymentName": "blue",
                    "properties": {
                        "endpointComputeType": "Kubernetes",
                        "model": "azureml:fraud-model:3",
                        "instanceType": "gpu",
                        "scaleSettings": {
                            "scaleType": "TargetUtilization",
                            "minInstances": 1,
                            "maxInstances": 12,
                            "targetUtilizationPercentage": 70,
                        },
                        "requestSettings": {"maxConcurrentRequestsPerInstance": 1},
                    },
                },
                prop_deps={"workspaceName": ["ws"], "endpointName": ["score"]},
            ),
            "web": Spec(
                "kubernetes:apps/v1:Deployment",
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": "web", "namespace": "web", "labels": {"app": "web"}},
                },
            ),
            "web-hpa": Spec(
                "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
                {
                    "apiVersion": "autoscaling/v2",
                    "kind": "HorizontalPodAutoscaler",
                    "metadata": {"name": "web", "namespace": "web"},
                    "spec": {
                        "scaleTargetRef": {"kind": "Deployment", "name": "web"},
                        "maxReplicas": 3,
                    },
                },
            ),
        }
    )


# Config the baseline is checked with: a declared load its max_instances carries.
CONFIG = {
    "scale-settings-sane": {"declaredLoads": {"score/blue": {"rps": 5, "requestTimeMs": 1000}}}
}


def run(
    world: dict[str, Spec], config: dict | None = None, stack: str = "prod", tags=None
) -> list[tuple[str, str, str]]:
    """(policy, logical name, message) for every violation of every policy but the report."""
    resources = build(world)
    found = []
    config = CONFIG if config is None else config
    for rule in pack.rules():
        for message, where in rule.run(resources, config.get(rule.name), stack, tags):
            found.append((rule.name, where.rsplit("::", 1)[-1], message))
    return found


def run_rule(name: str, world: dict[str, Spec], config=None, stack: str = "prod"):
    rule = next(r for r in pack.rules() if r.name == name)
    return rule.run(build(world), config, stack)
