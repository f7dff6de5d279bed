"""egress-covers-documented-hosts: on a hand-written program (its own Pulumi project) through
preflight, and on resources as the engine hands them to the pack, one mutation per case."""

import json

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi_policy import PolicyResource, PolicyResourceOptions
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from catalog import hosts
from policy import egress_covers_documented_hosts as egress
from tests.conftest import ROOT, run_preflight

pytestmark = pytest.mark.process

PROGRAM = ROOT / "tests" / "fixtures" / "egress-program"


def check(stack: str) -> tuple[int, list[dict]]:
    result = run_preflight("check", "--program", str(PROGRAM), "--stack", stack, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    violations = json.loads(result.stdout)["violations"]
    return result.returncode, [v for v in violations if v["policy"] == egress.NAME]


def test_the_program_missing_the_router_hosts_fails():
    code, found = check("missing-router-hosts")
    assert code == 1 and len(found) == 1
    violation = found[0]
    assert violation["enforcementLevel"] == "mandatory" and violation["urn"].endswith("::aks")
    message = violation["message"]
    assert "the 'router deploy' phase would fail first" in message
    for missing in (
        "westeurope.dp.kubernetesconfiguration.azure.com:443/https (extension)",
        "api.azureml.ms:443/https (inference)",
        "<account>.blob.core.windows.net:443/https (workspace)",
        "<acr>.azurecr.io:443/https (workspace)",
    ):
        assert missing in message
    # AKS's own hosts are allowed (FQDN tag and network rules): not reported.
    assert "mcr.microsoft.com" not in message and "AzureCloud" not in message


def test_the_compliant_neighbour_passes():
    code, found = check("compliant")
    assert found == [] and code == 0


def test_a_cluster_not_routed_through_the_firewall_is_not_judged():
    assert check("loadbalancer")[1] == []


# In process ---------------------------------------------------------------------------------------


def wrap(props: dict):
    struct = struct_pb2.Struct()
    json_format.ParseDict(props, struct)
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(struct)))


def make(type_: str, name: str, props: dict, deps=()) -> PolicyResource:
    opts = PolicyResourceOptions(False, [], False, [], [], None, None)
    urn = f"urn:pulumi:t::p::{type_}::{name}"
    return PolicyResource(type_, wrap(props), urn, name, opts, None, None, list(deps), {})


CLUSTER = {
    "resourceGroupName": "rg",
    "resourceName": "aks",
    "dnsPrefix": "mlprod",
    "location": "westeurope",
    "networkProfile": {"outboundType": "userDefinedRouting"},
    "agentPoolProfiles": [{"name": "system", "count": 3, "vmSize": "Standard_D4s_v5"}],
}
SETTINGS = {"enableInference": "True", "enableTraining": "False"}
FEATURES = hosts.Features("aks", "westeurope", False, True, False, cluster="mlprod")


def collections(rules: list[hosts.Rule], action: str = "Allow") -> list[dict]:
    """Rule collections that allow exactly `rules`, as the engine hands them over."""
    out = []
    for rule in rules:
        if rule.application:
            out.append(
                {
                    "ruleType": "ApplicationRule",
                    "protocols": [{"protocolType": rule.protocol.capitalize(), "port": rule.port}],
                    "targetFqdns": [rule.host.replace("<account>", "st").replace("<acr>", "cr")],
                }
            )
        else:
            target = (
                "destinationAddresses" if hosts.is_service_tag(rule.host) else "destinationFqdns"
            )
            out.append(
                {
                    "ruleType": "NetworkRule",
                    "ipProtocols": [rule.protocol.upper()],
                    "destinationPorts": [str(rule.port)],
                    target: [rule.host],
                }
            )
    return [
        {
            "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
            "action": {"type": action},
            "rules": out,
        }
    ]


def stack(cluster=CLUSTER, settings=SETTINGS, rules=None, action="Allow", groups=True, raw=()):
    c = make("azure-native:containerservice:ManagedCluster", "aks", cluster)
    extension = {
        "resourceGroupName": "rg",
        "clusterName": "aks",
        "clusterResourceName": "managedClusters",
        "extensionType": "Microsoft.AzureML.Kubernetes",
        "configurationSettings": settings,
    }
    out = [c, make("azure-native:kubernetesconfiguration:Extension", "ml", extension, [c])]
    if groups:
        allowed = hosts.rules(FEATURES) if rules is None else rules
        props = {"ruleCollections": collections(allowed, action), "priority": 100}
        props["ruleCollections"][0]["rules"] += list(raw)
        out.append(make(egress.RULE_COLLECTION_GROUP, "rules", props))
    return out


def findings(resources) -> list[str]:
    return [message for message, _ in egress.RULE.run(resources)]


def without(host: str) -> list[hosts.Rule]:
    return [rule for rule in hosts.rules(FEATURES) if rule.host != host]


def test_compliant_in_process():
    assert findings(stack()) == []


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({"rules": without("api.azureml.ms")}, "router running: api.azureml.ms:443/https"),
        ({"rules": without("AzureCloud.westeurope")}, "AzureCloud.westeurope:1194/udp"),
        ({"action": "Deny"}, "'cluster setup' phase would fail first"),
        (
            {"settings": {**SETTINGS, "enableTraining": "True"}},
            "training job: archive.ubuntu.com:80/http",
        ),
        (
            {"cluster": {**CLUSTER, "agentPoolProfiles": [{"vmSize": "Standard_NC24ads_A100_v4"}]}},
            "nvidia.github.io:443/https (gpu)",
        ),
        (
            {
                "rules": [
                    *without("pypi.org"),
                    hosts.Rule("pypi.org", 8443, "https", "x", "any", ""),
                ]
            },
            None,  # pypi.org is not needed without training: its wrong port does not matter
        ),
        (
            {
                "cluster": {**CLUSTER, "networkProfile": {"outboundType": "loadBalancer"}},
                "rules": [],
            },
            None,
        ),
        ({"groups": False}, None),
    ],
)
def test_cases(kwargs, expected):
    found = findings(stack(**kwargs))
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0], found


def test_a_wrong_port_or_protocol_does_not_cover():
    moved = [
        hosts.Rule(r.host, 8443, r.protocol, r.why, r.phase, r.source)
        if r.host == "mcr.microsoft.com"
        else r
        for r in hosts.rules(FEATURES)
    ]
    assert "mcr.microsoft.com:443/https" in findings(stack(rules=moved))[0]


def test_a_network_rule_on_tcp_443_covers_an_fqdn():
    rules = [r for r in hosts.rules(FEATURES) if r.host != "api.azureml.ms"]
    rules.append(hosts.Rule("api.azureml.ms", 443, "tcp", "inference", "router running", ""))
    assert findings(stack(rules=rules)) == []


AKS_TAG_RULE = {
    "ruleType": "ApplicationRule",
    "protocols": [{"protocolType": "Https", "port": 443}],
    "fqdnTags": ["AzureKubernetesService"],
}


def test_the_aks_fqdn_tag_covers_the_aks_hosts():
    rules = [r for r in hosts.rules(FEATURES) if r.why != "aks" or not r.application]
    assert "mcr.microsoft.com" in findings(stack(rules=rules))[0]
    assert findings(stack(rules=rules, raw=[AKS_TAG_RULE])) == []
