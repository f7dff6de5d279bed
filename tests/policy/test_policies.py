"""Policy unit tests: a compliant fixture per resource type, one mutation per case, properties
wrapped the way the runtime wraps them (Struct -> dict, numbers as floats, unknown-checking proxy)."""

import copy

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi_policy import PolicyResource, PolicyResourceOptions, StackValidationArgs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policy import no_hpa_on_model_deployments as hpa
from policy import router_ha_needs_three_nodes as ha

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def wrap(props: dict):
    struct = struct_pb2.Struct()
    json_format.ParseDict(props, struct)
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(struct)))


def resource(type_, name, props, deps=()):
    opts = PolicyResourceOptions(False, [], False, [], [], None, None)
    return PolicyResource(
        type_,
        wrap(props),
        f"urn:pulumi:t::p::{type_}::{name}",
        name,
        opts,
        None,
        None,
        list(deps),
        {},
    )


def violations(policy, resources):
    found = []
    policy.validate(StackValidationArgs(resources), lambda msg, urn=None: found.append((msg, urn)))
    return found


CLUSTER = {
    "resourceGroupName": "rg",
    "resourceName": "aks",
    "agentPoolProfiles": [{"name": "system", "count": 3, "mode": "System"}],
}
EXTENSION = {
    "resourceGroupName": "rg",
    "clusterName": "aks",
    "clusterRp": "Microsoft.ContainerService",
    "clusterResourceName": "managedClusters",
    "extensionType": "Microsoft.AzureML.Kubernetes",
    "configurationSettings": {
        "enableInference": "True",
        "inferenceRouterServiceType": "loadBalancer",
    },
}


def ha_stack(cluster=CLUSTER, extension=EXTENSION, pools=(), edge=True, arc=None):
    c = resource("azure-native:containerservice:ManagedCluster", "aks", cluster)
    out = [c] + [
        resource("azure-native:containerservice:AgentPool", f"p{i}", p, [c])
        for i, p in enumerate(pools)
    ]
    out.append(
        resource(
            "azure-native:kubernetesconfiguration:Extension", "ml", extension, [c] if edge else []
        )
    )
    if arc:
        out.append(resource("azureml-k8s:index:ArcCluster", "arc", arc))
    return out


def mutate(base, path, value):
    out = copy.deepcopy(base)
    target = out
    for key in path[:-1]:
        target = target[key]
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return out


def test_ha_compliant():
    assert violations(ha.POLICY, ha_stack()) == []


ARC_EXT = mutate(
    mutate(EXTENSION, ["clusterResourceName"], "connectedClusters"),
    ["clusterRp"],
    "Microsoft.Kubernetes",
)
ARC_HANDLE = {
    "clusterResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.Kubernetes/connectedClusters/aks",
    "nodeCount": 2,
}


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({"cluster": mutate(CLUSTER, ["agentPoolProfiles", 0, "count"], 2)}, 1),
        (
            {
                "cluster": mutate(
                    CLUSTER,
                    ["agentPoolProfiles", 0],
                    {"count": 5, "minCount": 1, "enableAutoScaling": True},
                )
            },
            1,
        ),
        (
            {
                "cluster": mutate(CLUSTER, ["agentPoolProfiles", 0, "count"], 2),
                "pools": [{"resourceGroupName": "rg", "resourceName": "aks", "count": 1}],
            },
            0,
        ),
        (
            {"cluster": mutate(CLUSTER, ["agentPoolProfiles", 0, "count"], 2), "edge": False},
            1,
        ),  # matched by name
        (
            {
                "cluster": mutate(CLUSTER, ["agentPoolProfiles", 0, "count"], 2),
                "extension": mutate(
                    EXTENSION, ["configurationSettings", "inferenceRouterHA"], "False"
                ),
            },
            0,
        ),
        (
            {
                "cluster": mutate(CLUSTER, ["agentPoolProfiles", 0, "count"], 2),
                "extension": mutate(
                    EXTENSION, ["configurationSettings", "enableInference"], "False"
                ),
            },
            0,
        ),
        (
            {
                "cluster": mutate(CLUSTER, ["agentPoolProfiles", 0, "count"], 2),
                "extension": mutate(EXTENSION, ["extensionType"], "microsoft.flux"),
            },
            0,
        ),
        ({"extension": ARC_EXT, "edge": False, "arc": ARC_HANDLE}, 1),
        ({"extension": ARC_EXT, "edge": False, "arc": mutate(ARC_HANDLE, ["nodeCount"], 3)}, 0),
    ],
)
def test_ha_mutations(kwargs, expected):
    found = violations(ha.POLICY, ha_stack(**kwargs))
    assert len(found) == expected, found
    if expected:
        assert found[0][1].endswith("::ml") and "inferenceRouterHA" in found[0][0]


def test_ha_unknown_count_is_not_silently_passed():
    stack = ha_stack(cluster=mutate(CLUSTER, ["agentPoolProfiles", 0, "count"], UNKNOWN))
    # The SDK turns this into a "can't run" diagnostic; preflight keeps it mandatory.
    with pytest.raises(UnknownValueError) as info:
        violations(ha.POLICY, stack)
    assert "can't be known during preview" in info.value.message


COMPUTE = {"properties": {"computeType": "Kubernetes", "properties": {"namespace": "team-a"}}}
HPA = {
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "web"},
    "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 3},
}
WORKLOAD = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "web", "labels": {"app": "web"}},
}


def hpa_stack(
    compute=COMPUTE,
    scaler=HPA,
    workload=WORKLOAD,
    scaler_type="kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    deployment=None,
):
    out = [
        resource("azure-native:machinelearningservices:Compute", "c", compute),
        resource(scaler_type, "hpa", scaler),
        resource("kubernetes:apps/v1:Deployment", "web", workload),
    ]
    if deployment:
        out.append(
            resource("azure-native:machinelearningservices:OnlineDeployment", "d", deployment)
        )
    return out


def test_hpa_elsewhere_is_fine():
    assert violations(hpa.POLICY, hpa_stack()) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scaler": mutate(HPA, ["metadata", "namespace"], "team-a")},
        {
            "scaler": mutate(HPA, ["metadata", "namespace"], None),
            "compute": mutate(COMPUTE, ["properties", "properties", "namespace"], None),
        },  # both default
        {
            "scaler_type": "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
            "scaler": mutate(HPA, ["metadata", "namespace"], "team-a"),
        },
        {
            "scaler_type": "kubernetes:keda.sh/v1alpha1:ScaledObject",
            "scaler": mutate(HPA, ["metadata", "namespace"], "team-a"),
        },
        {"workload": mutate(WORKLOAD, ["metadata", "labels"], {"isazuremlapp": "true"})},
        {
            "workload": mutate(
                WORKLOAD, ["metadata", "labels"], {"ml.azure.com/deployment-name": "blue"}
            )
        },
        {"deployment": {"deploymentName": "web", "endpointName": "scoring"}},
        {
            "deployment": {"deploymentName": "blue", "endpointName": "web"},
            "scaler": mutate(HPA, ["spec", "scaleTargetRef", "name"], "blue-web"),
        },
    ],
)
def test_hpa_on_model_deployments(kwargs):
    found = violations(hpa.POLICY, hpa_stack(**kwargs))
    assert len(found) == 1, found
    assert found[0][1].endswith("::hpa")
