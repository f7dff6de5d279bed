"""Component behaviour, read from the prod and edge plans (recorded inputs and options)."""

import pytest

from tests.conftest import ROOT, plan_of, resource

pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def prod():
    return plan_of(ROOT / "stacks" / "Pulumi.prod.yaml")


@pytest.fixture(scope="module")
def edge():
    return plan_of(ROOT / "stacks" / "Pulumi.edge.yaml")


def test_aks_cluster_as_azure_ml_needs_it(prod):
    cluster = resource(prod, "azure-native:containerservice:ManagedCluster")
    inputs = cluster["inputs"]
    assert inputs["identity"] == {"type": "SystemAssigned"}
    assert inputs["disableLocalAccounts"] is True
    assert inputs["aadProfile"] == {"enableAzureRBAC": True, "managed": True}
    ranges = inputs["apiServerAccessProfile"]["authorizedIPRanges"]
    assert (
        ranges[0] == "203.0.113.0/24"
        and "13.69.64.192/28" in ranges
        and "13.69.227.192/28" in ranges
    )
    assert inputs["addonProfiles"]["omsagent"]["enabled"] is True
    assert inputs["securityProfile"]["defender"]["securityMonitoring"] == {"enabled": True}
    gpu = inputs["agentPoolProfiles"][1]
    assert (gpu["enableAutoScaling"], gpu["minCount"], gpu["maxCount"]) == (True, 0, 4)
    assert gpu["nodeTaints"] == ["sku=gpu:NoSchedule"]
    assert cluster["options"]["protect"] is True
    assert cluster["options"]["ignoreChanges"] == ["agentPoolProfiles[1].count"]


def test_trusted_access_binding_per_workspace(prod):
    binding = resource(prod, "azure-native:containerservice:TrustedAccessRoleBinding")
    assert binding["inputs"]["roles"] == ["Microsoft.MachineLearningServices/workspaces/mlworkload"]
    assert binding["inputs"]["sourceResourceId"].endswith("/workspaces/mlw-prod")
    computes = [
        r for r in prod["resources"] if r["type"] == "azure-native:machinelearningservices:Compute"
    ]
    assert len(computes) == 2
    for compute in computes:  # attached after the binding, so they work without local accounts
        assert binding["urn"] in compute["dependencies"]
        assert compute["inputs"]["properties"]["computeType"] == "Kubernetes"
    assert {c["inputs"]["properties"]["properties"]["namespace"] for c in computes} == {
        "team-a",
        "team-b",
    }


def test_kubeconfig_and_provider_stay_secret(prod):
    provider = resource(prod, "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] in ("[secret]", "[unknown]")
    assert prod["outputs"]["kubeconfig"] in ("[secret]", "[unknown]")
    assert prod["outputs"]["nodeCount"] == 3
    for ns in [r for r in prod["resources"] if r["type"] == "kubernetes:core/v1:Namespace"]:
        assert ns["provider"] == provider["urn"]


def test_arc_attach_reads_cluster_and_creates_relay(edge):
    read = resource(edge, "azure-native:kubernetes:ConnectedCluster")
    assert read["op"] == "read"
    rule = resource(edge, "azure-native:relay:HybridConnectionAuthorizationRule")
    assert rule["inputs"]["authorizationRuleName"] == "azureml_rw"
    assert rule["inputs"]["rights"] == ["Manage", "Send", "Listen"]
    assert (
        resource(edge, "azure-native:relay:HybridConnection")["inputs"][
            "requiresClientAuthorization"
        ]
        is True
    )
    arc = resource(edge, "azureml-k8s:index:ArcCluster")
    assert arc["custom"] is False
    assert not any(
        r["type"] == "azure-native:containerservice:ManagedCluster" for r in edge["resources"]
    )
