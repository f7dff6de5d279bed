"""Stack settings: every rule has a case that fails without it, with its key path and message."""

import json

import pytest

from stacks import settings as stack_settings

FILE = "stacks/Pulumi.test.yaml"
AKS = {
    "kind": "aks",
    "name": "mltest",
    "nodePools": [{"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"}],
}
EXT = {
    "enableTraining": True,
    "enableInference": True,
    "inferenceRouterServiceType": "loadBalancer",
    "sslCname": "scoring.contoso.com",
    "sslSecret": "azureml-fe-tls",
}
WS = {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.MachineLearningServices/workspaces/mlw"
}


def config(**overrides):
    values = {
        "azure-native:location": "westeurope",
        "azureml-k8s:environment": "prod",
        "azureml-k8s:cluster": AKS,
        "azureml-k8s:extension": EXT,
        "azureml-k8s:workspace": WS,
    }
    values.update(
        {
            k.replace("__", ":").replace("_", "-", 1) if "__" in k else k: v
            for k, v in overrides.items()
        }
    )
    return {
        k: json.dumps(v) if isinstance(v, (dict, list)) else v
        for k, v in values.items()
        if v is not None
    }


def errors(values, secrets=()):
    with pytest.raises(stack_settings.SettingsError) as info:
        stack_settings.parse(values, set(secrets), FILE)
    assert FILE in str(info.value)
    return info.value.errors


def with_cluster(**changes):
    return {"azureml-k8s:cluster": json.dumps({**AKS, **changes})}


def with_ext(**changes):
    return {
        "azureml-k8s:extension": json.dumps(
            {k: v for k, v in {**EXT, **changes}.items() if v is not None}
        )
    }


def pool(**changes):
    return {"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System", **changes}


def test_valid_settings_parse():
    settings = stack_settings.parse(config(), set(), FILE)
    assert settings.cluster.node_count == 3
    assert settings.extension.cli_settings()["inferenceRouterServiceType"] == "loadBalancer"
    assert settings.container_insights() and settings.defender()  # prod defaults


CASES = [
    # (id, config changes, expected path, expected message fragment)
    ("empty location", {"azure-native:location": ""}, "location", "not an Azure region name"),
    (
        "list location",
        {"azure-native:location": '["westeurope"]'},
        "location",
        "not an Azure region name",
    ),
    (
        "location with a trailing newline",
        {"azure-native:location": "westeurope\n"},
        "location",
        "not an Azure region name",
    ),
    (
        "unknown top-level key",
        {"azureml-k8s:clustr": "x"},
        "config.azureml-k8s:clustr",
        "did you mean 'cluster'",
    ),
    (
        "misspelt extension key",
        with_ext(enableTraning=True),
        "extension.enableTraning",
        "did you mean 'enableTraining'",
    ),
    (
        "wrong case key",
        with_ext(InferenceRouterHA=False),
        "extension.InferenceRouterHA",
        "did you mean 'inferenceRouterHA'",
    ),
    ("missing location", {"azure-native:location": None}, "azure-native:location", "required"),
    (
        "misspelt region on AKS",
        {"azure-native:location": "northeuorpe"},
        "azure-native:location",
        "'northeuorpe' is not an Azure region: did you mean 'northeurope'?",
    ),
    (
        "misspelt region on Arc",
        {
            "azure-native:location": "North Euorpe",
            "azureml-k8s:cluster": json.dumps(
                {
                    "kind": "arc",
                    "connectedClusterId": "/subscriptions/00000000-0000-0000-0000-000000000000/"
                    "resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/site",
                    "nodeCount": 3,
                }
            ),
        },
        "azure-native:location",
        "did you mean 'northeurope'?",
    ),
    (
        "a geography is not a region",
        {"azure-native:location": "europe"},
        "azure-native:location",
        "is not an Azure region",
    ),
    ("wrong type", with_cluster(nodePools=[pool(count="three")]), "nodePools[0].count", "integer"),
    (
        "bad kind",
        {"azureml-k8s:cluster": json.dumps({"kind": "gke"})},
        "cluster",
        "kind must be 'aks'",
    ),
    (
        "service principal",
        with_cluster(servicePrincipal={"clientId": "x"}),
        "cluster",
        "managed identity",
    ),
    ("pod identity", with_cluster(podIdentity={"enabled": True}), "cluster", "pod identity"),
    (
        "pool name",
        with_cluster(nodePools=[pool(name="System-1")]),
        "nodePools[0].name",
        "lowercase",
    ),
    (
        "count and autoscaler",
        with_cluster(nodePools=[pool(minCount=1, maxCount=3)]),
        "nodePools[0]",
        "not both",
    ),
    (
        "min above max",
        with_cluster(nodePools=[pool(count=None, minCount=4, maxCount=3)]),
        "nodePools[0]",
        "minCount <= maxCount",
    ),
    (
        "system pool at zero",
        with_cluster(nodePools=[pool(count=0)]),
        "nodePools[0]",
        "at least one node",
    ),
    ("no system pool", with_cluster(nodePools=[pool(mode="User")]), "cluster", "mode: System"),
    (
        "bad taint",
        with_cluster(nodePools=[pool(taints=["gpu"])]),
        "nodePools[0].taints",
        "key=value:Effect",
    ),
    (
        "unknown vm size",
        with_cluster(nodePools=[pool(vmSize="Standard_Z9")]),
        "cluster",
        "declare it under cluster.vmSizes",
    ),
    (
        "prod capacity",
        with_cluster(nodePools=[pool(vmSize="Standard_B2s", count=3)]),
        "cluster.nodePools",
        "at least 4 vCPU and 14 GiB",
    ),
    (
        "cidr not at network address",
        with_cluster(apiServer={"authorizedIpRanges": ["203.0.113.7/24"]}),
        "authorizedIpRanges",
        "write 203.0.113.0/24",
    ),
    (
        "0.0.0.0/32 mixed",
        with_cluster(apiServer={"authorizedIpRanges": ["0.0.0.0/32", "203.0.113.0/24"]}),
        "authorizedIpRanges",
        "cannot be combined",
    ),
    (
        "ranges on private cluster",
        with_cluster(apiServer={"authorizedIpRanges": ["203.0.113.0/24"], "privateCluster": True}),
        "apiServer",
        "private cluster",
    ),
    (
        "too many ranges",
        with_cluster(apiServer={"authorizedIpRanges": [f"10.0.{i}.0/24" for i in range(190)]}),
        "authorizedIpRanges",
        "AKS allows 200",
    ),
    (
        "region without control-plane ranges",
        {
            # Denmark East is announced but has no AzureMachineLearning tag in the shipped data.
            "azure-native:location": "denmarkeast",
            **with_cluster(apiServer={"authorizedIpRanges": ["203.0.113.0/24"]}),
        },
        "azureMlControlPlaneRanges",
        "denmarkeast",
    ),
    (
        "udr without subnet",
        with_cluster(network={"outboundType": "userDefinedRouting"}),
        "cluster.network",
        "needs subnetId",
    ),
    (
        "user identity without id",
        with_cluster(identity={"type": "UserAssigned"}),
        "identity",
        "userAssignedIdentityId",
    ),
    (
        "neither training nor inference",
        with_ext(enableTraining=False, enableInference=False),
        "extension.enableTraining",
        "enable training, inference or both",
    ),
    (
        "inference without service type",
        with_ext(inferenceRouterServiceType=None),
        "extension.inferenceRouterServiceType",
        "loadBalancer, nodePort or clusterIP",
    ),
    (
        "bad service type",
        with_ext(inferenceRouterServiceType="ingress"),
        "extension.inferenceRouterServiceType",
        "not a router service type",
    ),
    (
        "https without certificate",
        with_ext(sslSecret=None),
        "extension.allowInsecureConnections",
        "HTTPS needs a certificate",
    ),
    ("https without cname", with_ext(sslCname=None), "extension.sslCname", "sslCname"),
    (
        "nodePort with internal lb",
        with_ext(inferenceRouterServiceType="nodePort", internalLoadBalancerProvider="azure"),
        "extension.internalLoadBalancerProvider",
        "remove it",
    ),
    (
        "http in prod",
        with_ext(allowInsecureConnections=True, sslSecret=None, sslCname=None),
        "extension.allowInsecureConnections",
        "dev/test",
    ),
    (
        "ha on two nodes",
        {
            **with_cluster(nodePools=[pool(count=2, vmSize="Standard_D8s_v5")]),
            **with_ext(inferenceRouterHA=True),
        },
        "extension.inferenceRouterHA",
        "router-ha-needs-three-nodes",
    ),
    (
        "version pinned with auto upgrade",
        with_ext(version="1.1.50"),
        "extension",
        "autoUpgradeMinorVersion: false",
    ),
    ("pem files not paired", with_ext(sslCertPemFile="cert.pem"), "extension", "go together"),
    (
        "computes without workspace",
        {
            "azureml-k8s:workspace": None,
            "azureml-k8s:computes": [{"name": "k8s-a", "namespace": "a"}],
        },
        "config.azureml-k8s:workspace",
        "set workspace.id",
    ),
    (
        "duplicate namespace",
        {
            "azureml-k8s:computes": [
                {"name": "k8s-a", "namespace": "a"},
                {"name": "k8s-b", "namespace": "a"},
            ]
        },
        "computes[1].namespace",
        "unique",
    ),
    (
        "bad workspace id",
        {"azureml-k8s:workspace": {"id": "mlw"}},
        "workspace.id",
        "workspace resource id",
    ),
    (
        "secret in manifests",
        {
            "azureml-k8s:extraManifests": [
                {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}
            ]
        },
        "extraManifests[0]",
        "would not be secret",
    ),
    (
        "arc cross subscription",
        {
            "azureml-k8s:cluster": {
                "kind": "arc",
                "nodeCount": 3,
                "connectedClusterId": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/"
                "Microsoft.Kubernetes/connectedClusters/edge",
            }
        },
        "connectedClusterId",
        "in the subscription of every workspace",
    ),
    (
        "internal lb on arc",
        {
            **with_ext(internalLoadBalancerProvider="azure"),
            "azureml-k8s:cluster": {
                "kind": "arc",
                "nodeCount": 3,
                "connectedClusterId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
                "Microsoft.Kubernetes/connectedClusters/edge",
            },
        },
        "extension.internalLoadBalancerProvider",
        "AKS only",
    ),
    (
        "compute name ending in -digits",
        {"azureml-k8s:computes": [{"name": "k8s-team-1", "namespace": "a"}]},
        "computes[0].name",
        "not ending in '-<digits>'",
    ),
    (
        "compute name too short",
        {"azureml-k8s:computes": [{"name": "ab", "namespace": "a"}]},
        "computes[0].name",
        "'ab' is not a compute name (2 characters): 3-16 characters",
    ),
    (
        "compute name too long",
        {"azureml-k8s:computes": [{"name": "k8s-team-alpha-01x", "namespace": "a"}]},
        "computes[0].name",
        "(18 characters): 3-16 characters",
    ),
    (
        "resource group name",
        with_cluster(resourceGroup="rg-ml."),
        "cluster.resourceGroup",
        "not ending with '.'",
    ),
    (
        "endpoint and deployment over 62",
        {
            "azureml-k8s:computes": [{"name": "k8s-a", "namespace": "a"}],
            "azureml-k8s:endpoints": [
                {
                    "name": "e" * 32,
                    "compute": "k8s-a",
                    "deployments": [{"name": "d" * 31, "model": "azureml:m:1", "traffic": 100}],
                }
            ],
        },
        "endpoints[0].deployments[0].name",
        "63 characters together",
    ),
    (
        "cross-subscription aks",
        {"azure-native:subscriptionId": "11111111-1111-1111-1111-111111111111"},
        "workspace.id",
        "Azure Arc",
    ),
]


@pytest.mark.parametrize("changes,path,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_settings(changes, path, message):
    values = config()
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = json.dumps(value) if isinstance(value, (dict, list)) else value
    found = errors(values)
    assert any(path in p and message in m for p, m in found), found


def test_secret_keys_must_be_secret():
    values = config(**{"azureml-k8s:sslCertPem": "-----BEGIN CERTIFICATE-----"})
    found = errors(values)
    assert any("sslCertPem" in p and "must be a secret" in m for p, m in found)


def test_passphrase_key_refused():
    values = config(
        **{
            "azureml-k8s:sslCertPem": "cert",
            "azureml-k8s:sslKeyPem": "-----BEGIN ENCRYPTED PRIVATE KEY-----",
        }
    )
    found = errors(values, secrets={"azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"})
    assert any("sslKeyPem" in p and "passphrase" in m for p, m in found)


@pytest.mark.parametrize("location", ["westeurope", "West Europe", "WestEurope", "swedensouth"])
def test_region_names_and_display_names_are_accepted(location):
    settings = stack_settings.parse(config(**{"azure-native:location": location}), set(), FILE)
    assert settings.region == location.replace(" ", "").lower()


def test_authorized_ranges_add_control_plane_of_region_and_pair():
    values = config(**with_cluster(apiServer={"authorizedIpRanges": ["203.0.113.0/24"]}))
    ranges = stack_settings.parse(values, set(), FILE).authorized_ranges()
    assert ranges[0] == "203.0.113.0/24"
    assert "13.69.64.192/28" in ranges  # AzureMachineLearning.WestEurope
    assert "13.69.227.192/28" in ranges  # AzureMachineLearning.NorthEurope (the pair)


def test_several_problems_reported_at_once():
    values = config(**{"azureml-k8s:clustr": "x"}, **with_ext(enableTraning=True))
    found = errors(values)
    assert len(found) == 2
