"""The sslCname record: an A record to azureml-fe's load balancer IP, read from the router's
Service after the extension is installed; settings that cannot make one are errors."""

import copy
import types

import pytest
import yaml

from components.dns import _load_balancer_ip, instructions
from stacks.settings.dns import Dns
from tests.components.test_egress import FIXTURE, errors_of, fixture_config
from tests.conftest import ROOT, plan_of, resource, run_preflight

pytestmark = pytest.mark.process

PUBLIC_ZONE = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/"
    "Microsoft.Network/dnszones/ml.contoso.com"
)


@pytest.fixture(scope="module")
def plan():
    return plan_of(FIXTURE)


def test_the_record_is_planned_from_the_router_service(plan):
    # The fixture's router is internal (behind the firewall): its record goes to a private zone.
    record = resource(plan, "azure-native:privatedns:PrivateRecordSet")
    assert {k: v for k, v in record["inputs"].items() if k != "aRecords"} == {
        "recordType": "A",
        "relativeRecordSetName": "scoring",
        "resourceGroupName": "rg-dns",
        "ttl": 300,
        "privateZoneName": "ml.contoso.com",
    }
    service = resource(plan, "kubernetes:core/v1:Service")
    assert service["op"] == "read" and service["options"]["id"] == "azureml/azureml-fe"
    # Read through the cluster's own provider, after the extension has made the router.
    assert service["provider"].endswith("pulumi:providers:kubernetes::azureml-aks-k8s")
    extension = resource(plan, "azure-native:kubernetesconfiguration:Extension")
    assert extension["urn"] in service["dependencies"]
    assert service["urn"] in record["propertyDependencies"]["aRecords"]
    assert plan["outputs"]["dnsRecord"] == "[unknown]"  # names the record's id, known at deploy


def test_a_public_load_balancer_gets_a_public_zone_record(stack_file):
    config = fixture_config()
    del config["azureml-k8s:extension"]["internalLoadBalancerProvider"]
    del config["azureml-k8s:egress"]  # a public router cannot sit behind the stack's firewall
    config["azureml-k8s:cluster"]["network"].pop("outboundType")
    config["azureml-k8s:dns"] = {"zoneId": PUBLIC_ZONE, "ttl": 60}
    plan = plan_of(stack_file(config))
    record = resource(plan, "azure-native:dns:RecordSet")["inputs"]
    assert record["zoneName"] == "ml.contoso.com" and record["ttl"] == 60
    assert record["relativeRecordSetName"] == "scoring" and record["recordType"] == "A"
    assert not [r for r in plan["resources"] if r["type"].startswith("azure-native:privatedns:")]


def test_without_dns_the_output_says_which_record_to_create_where():
    result = run_preflight("preview", "--stack", "prod", "--format", "json")
    assert result.returncode == 0, result.stderr
    message = yaml.safe_load(result.stdout)["outputs"]["dnsRecord"]
    assert message.startswith("create an A record scoring.ml.contoso.com -> the EXTERNAL-IP")
    assert "azureml/azureml-fe" in message and "ml.contoso.com" in message
    assert instructions(None) is None


def test_a_cname_outside_the_zone_is_exit_2_naming_both(stack_file):
    config = fixture_config()
    config["azureml-k8s:extension"]["sslCname"] = "scoring.contoso.net"
    result = run_preflight("hosts", "--config", str(stack_file(config)))
    assert result.returncode == 2, result.stderr
    assert "config.azureml-k8s:dns.zoneId" in result.stderr
    assert "'scoring.contoso.net' is not inside the zone 'ml.contoso.com'" in result.stderr


def with_changes(extension=None, dns=None, drop=()) -> dict:
    config = copy.deepcopy(fixture_config())
    config["azureml-k8s:extension"].update(extension or {})
    config["azureml-k8s:dns"].update(dns or {})
    for key in drop:
        config["azureml-k8s:extension"].pop(key)
    return config


@pytest.mark.parametrize(
    "config,path,message",
    [
        (
            with_changes(dns={"zoneId": PUBLIC_ZONE}),
            "config.azureml-k8s:dns.zoneId",
            "an internal load balancer has a private IP: use a private DNS zone",
        ),
        (
            with_changes(
                drop=("sslCname", "sslSecret"), extension={"allowInsecureConnections": True}
            ),
            "config.azureml-k8s:dns",
            "set extension.enableInference and extension.sslCname",
        ),
        (
            with_changes(dns={"zoneId": "ml.contoso.com"}),
            "config.azureml-k8s:dns.zoneId",
            "must be a DNS zone id",
        ),
    ],
)
def test_bad_dns_settings(config, path, message):
    found = errors_of(config)
    assert any(p == path and message in m for p, m in found), found


def test_a_node_port_router_has_no_load_balancer_to_point_at():
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.edge.yaml").read_text())["config"]
    config["azureml-k8s:dns"] = {"zoneId": fixture_config()["azureml-k8s:dns"]["zoneId"]}
    config["azureml-k8s:extension"]["sslCname"] = "scoring.ml.contoso.com"
    found = errors_of(config)
    assert any(
        p == "config.azureml-k8s:dns" and "inferenceRouterServiceType: loadBalancer" in m
        for p, m in found
    ), found


def test_relative_names_and_the_service_ip():
    zone = Dns(zoneId=fixture_config()["azureml-k8s:dns"]["zoneId"])
    assert zone.relative_name("ML.contoso.com") == "@"
    assert zone.relative_name("a.b.ml.contoso.com") == "a.b"
    assert zone.relative_name("xml.contoso.com") is None
    status = types.SimpleNamespace(
        load_balancer=types.SimpleNamespace(ingress=[types.SimpleNamespace(ip="20.1.2.3")])
    )
    assert _load_balancer_ip(status) == "20.1.2.3"
    # Without an IP: None at preview, a clear stop on a deploy (tests/components).
