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


def _status(*ips):
    ingress = [SimpleNamespace(ip=ip) for ip in ips]
    return SimpleNamespace(load_balancer=SimpleNamespace(ingress=ingress))


class _Clock:
    """A fake clock the fake sleep advances: the wait runs instantly and is counted."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_preview_never_waits_nor_polls(monkeypatch):
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: True)
    never = lambda: pytest.fail("a preview must not poll")  # noqa: E731
    assert dns.router_address(_status("10.1.2.3"), never, 600) == "10.1.2.3"
    assert dns.router_address(_status(), never, 600) is None  # unknown until deploy


def test_a_deploy_waits_for_the_ip_that_comes_after_some_polls(monkeypatch):
    """The first `pulumi up`: the Service exists without an IP, which Azure assigns a few polls
    later; the record gets it, no "run again"."""
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: False)
    answers = iter([None, None, None, "20.1.2.3"])
    clock = _Clock()
    address = dns.router_address(
        _status(), lambda: lambda: next(answers), 600, sleep=clock.sleep, clock=lambda: clock.now
    )
    assert address == "20.1.2.3"
    assert clock.sleeps == [dns.POLL_INTERVAL_S] * 3
    # Already assigned: no poll at all.
    never = lambda: pytest.fail("no poll when the IP is there")  # noqa: E731
    assert dns.router_address(_status("10.1.2.3"), never, 600) == "10.1.2.3"


def test_a_deploy_stops_clearly_after_the_bounded_wait(monkeypatch):
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: False)
    clock = _Clock()
    with pytest.raises(pulumi.RunError, match="no load balancer IP after 2 minutes") as caught:
        dns.router_address(
            _status(), lambda: lambda: None, 120, sleep=clock.sleep, clock=lambda: clock.now
        )
    assert "raise dns.waitMinutes" in str(caught.value) and "run `pulumi up` again" not in str(
        caught.value
    )
    assert sum(clock.sleeps) == 120  # bounded: never past the wait


def test_the_poller_reads_the_service_through_the_kubeconfig(monkeypatch):
    """The real reader, without a cluster: the official client built from the kubeconfig; a
    Service not there yet is "no IP yet", other API errors stop the deploy."""
    from kubernetes import client

    kubeconfig = (
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n"
    )
    calls = []

    def answer(self, name, namespace):
        calls.append((name, namespace))
        if len(calls) == 1:
            raise client.ApiException(status=404)
        if len(calls) == 2:
            return SimpleNamespace(status=_status("20.1.2.3"))
        raise client.ApiException(status=403)

    monkeypatch.setattr(client.CoreV1Api, "read_namespaced_service", answer)
    read = dns._poller(kubeconfig)
    assert read() is None and read() == "20.1.2.3"
    with pytest.raises(client.ApiException):
        read()
    assert calls[0] == ("azureml-fe", "azureml")
