"""Compute, Network and DNS, in process: one attach per namespace; a subnet only when asked for;
a DNS record only with the router's address."""

from types import SimpleNamespace

import pulumi
import pulumi_kubernetes as kubernetes_sdk
import pytest

from catalog.extension import ClusterFacts
from components import dns
from components.cluster import ClusterHandle
from components.compute import Attach, Compute
from components.network import Network
from stacks.settings import ComputeSettings, NetworkSettings, Workspace
from tests.components.conftest import SUBSCRIPTION

WORKSPACE = Workspace(
    id=f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-ml/providers/"
    "Microsoft.MachineLearningServices/workspaces/mlw"
)


def test_one_kubernetes_attach_per_namespace(mocks):
    def build():
        facts = ClusterFacts("aks", SUBSCRIPTION, "rg", "c1", "westeurope", 3)
        anchor = pulumi.CustomResource("test:index:Anchor", "anchor")
        provider = kubernetes_sdk.Provider("k8s", kubeconfig="{}")
        cluster = ClusterHandle(facts, anchor, [], pulumi.Output.secret("{}"), provider)
        computes = [ComputeSettings(name="k8s-a", namespace="a"), ComputeSettings(name="k8s-b")]
        attaches = [Attach(compute, WORKSPACE) for compute in computes]
        return Compute("t", attaches, cluster, "principal").ids

    ids = mocks.run(build)
    attaches = mocks.of_type("azure-native:machinelearningservices:Compute")
    assert [a.inputs["computeName"] for a in attaches] == ["k8s-a", "k8s-b"]
    assert len(ids) == 2
    for attach in attaches:
        assert attach.inputs["workspaceName"] == "mlw"
        assert attach.inputs["resourceGroupName"] == "rg-ml"
        properties = attach.inputs["properties"]
        assert properties["computeType"] == "Kubernetes"
        assert properties["properties"]["extensionPrincipalId"] == "principal"
    assert [a.inputs["properties"]["properties"]["namespace"] for a in attaches] == ["a", "default"]


def test_new_vnet_gets_a_node_subnet(mocks):
    settings = NetworkSettings(vnet={"addressPrefix": "10.1.0.0/16", "subnetPrefix": "10.1.0.0/20"})
    mocks.run(
        lambda: (
            Network(
                "t", settings, cluster_name="c1", region="westeurope", resource_group_name="rg"
            ).subnet_id
        )
    )
    vnet = mocks.one("azure-native:network:VirtualNetwork").inputs
    assert vnet["addressSpace"] == {"addressPrefixes": ["10.1.0.0/16"]}
    subnet = mocks.one("azure-native:network:Subnet").inputs
    assert (subnet["subnetName"], subnet["addressPrefix"]) == ("nodes", "10.1.0.0/20")


def test_existing_subnet_is_used_as_is(mocks):
    subnet_id = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/"
        "virtualNetworks/v/subnets/s"
    )
    settings = NetworkSettings(subnetId=subnet_id)
    result = mocks.run(
        lambda: (
            Network(
                "t", settings, cluster_name="c1", region="westeurope", resource_group_name="rg"
            ).subnet_id
        )
    )
    assert result == subnet_id
    assert mocks.of_type("azure-native:network:Subnet") == []


def test_dns_record_waits_for_the_router_ip_on_a_deploy(monkeypatch):
    def status(*ips):
        ingress = [SimpleNamespace(ip=ip) for ip in ips]
        return SimpleNamespace(load_balancer=SimpleNamespace(ingress=ingress))

    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: True)
    assert dns._load_balancer_ip(status("10.1.2.3")) == "10.1.2.3"
    assert dns._load_balancer_ip(status()) is None  # a preview: known once deployed
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: False)
    assert dns._load_balancer_ip(status("10.1.2.3")) == "10.1.2.3"
    with pytest.raises(pulumi.RunError, match="no load balancer IP yet"):
        dns._load_balancer_ip(status())
