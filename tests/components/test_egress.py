"""Egress locked to the documented hosts: the firewall, its policy and rule groups, the route table,
and the settings that must come with them."""

import copy
import json

import pytest
import yaml

from stacks.settings import SettingsError, parse
from tests.conftest import ROOT, plan_of, resource, run_preflight

pytestmark = pytest.mark.process

FIXTURE = ROOT / "tests" / "fixtures" / "Pulumi.prod-egress.yaml"
NET = "azure-native:network:"
GROUP = NET + "FirewallPolicyRuleCollectionGroup"
POLICY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/"
    "Microsoft.Network/firewallPolicies/hub-policy"
)
SUBNET_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/"
    "Microsoft.Network/virtualNetworks/spoke/subnets/aks"
)


def fixture_config() -> dict:
    return yaml.safe_load(FIXTURE.read_text())["config"]


def hosts_of(path) -> list[dict]:
    result = run_preflight("hosts", "--config", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_]


def group_rules(plan: dict) -> set[tuple[str, int, str]]:
    """Every (host, port, protocol) the plan's rule collection groups allow."""
    found = set()
    for group in of_type(plan, GROUP):
        for collection in group["inputs"]["ruleCollections"]:
            assert collection["action"] == {"type": "Allow"}
            for rule in collection["rules"]:
                if rule["ruleType"] == "ApplicationRule":
                    for protocol in rule["protocols"]:
                        for fqdn in rule["targetFqdns"]:
                            port = int(protocol["port"])
                            found.add((fqdn, port, protocol["protocolType"].lower()))
                else:
                    for destination in rule.get("destinationAddresses", []) + rule.get(
                        "destinationFqdns", []
                    ):
                        for port in rule["destinationPorts"]:
                            for protocol in rule["ipProtocols"]:
                                found.add((destination, int(port), protocol.lower()))
    return found


@pytest.fixture(scope="module")
def plan():
    return plan_of(FIXTURE)


def test_firewall_policy_rule_groups_and_route_table_are_planned(plan):
    firewall = resource(plan, NET + "AzureFirewall")["inputs"]
    assert firewall["sku"] == {"name": "AZFW_VNet", "tier": "Standard"}
    policy = resource(plan, NET + "FirewallPolicy")["inputs"]
    assert policy["sku"] == {"tier": "Standard"} and policy["dnsSettings"] == {"enableProxy": True}
    # prod: 20 frontend public IPs against SNAT exhaustion, the first one carries the subnet.
    ips = of_type(plan, NET + "PublicIPAddress")
    assert len(ips) == 20 and {ip["inputs"]["sku"]["name"] for ip in ips} == {"Standard"}
    configurations = firewall["ipConfigurations"]
    assert len(configurations) == 20 and "subnet" in configurations[0]
    assert not any("subnet" in c for c in configurations[1:])
    subnets = {s["inputs"]["subnetName"]: s for s in of_type(plan, NET + "Subnet")}
    assert subnets["AzureFirewallSubnet"]["inputs"]["addressPrefix"] == "10.239.255.192/26"
    routes = resource(plan, NET + "RouteTable")
    default = routes["inputs"]["routes"][0]
    assert default["addressPrefix"] == "0.0.0.0/0" and default["nextHopType"] == "VirtualAppliance"
    # The route's next hop is the firewall's private IP; the node subnet carries the table.
    assert firewall_urn(plan) in routes["dependencies"]
    nodes = subnets["nodes"]
    assert routes["urn"] in nodes["propertyDependencies"]["routeTable"]
    assert {g["inputs"]["ruleCollectionGroupName"] for g in of_type(plan, GROUP)} == {
        f"azureml-mlprod-{why}"
        for why in ("aks", "gpu", "extension", "inference", "workspace", "training", "extra")
    }


def firewall_urn(plan: dict) -> str:
    return resource(plan, NET + "AzureFirewall")["urn"]


def test_the_cluster_is_created_after_the_route_and_the_rules(plan):
    cluster = resource(plan, "azure-native:containerservice:ManagedCluster")
    nodes = next(s for s in of_type(plan, NET + "Subnet") if s["inputs"]["subnetName"] == "nodes")
    assert nodes["urn"] in cluster["dependencies"]
    assert cluster["inputs"]["networkProfile"]["outboundType"] == "userDefinedRouting"
    component = resource(plan, "azureml-k8s:index:AksCluster")
    # depends_on the Network component: the engine records it as its children, and the AKS
    # component hands that on to the cluster itself (Pulumi does not, for a component's children).
    assert resource(plan, NET + "RouteTable")["urn"] in component["dependencies"]
    assert resource(plan, NET + "RouteTable")["urn"] in cluster["dependencies"]
    assert firewall_urn(plan) in cluster["dependencies"]
    # Groups go into the policy one at a time; the firewall waits for all of them.
    groups = sorted(of_type(plan, GROUP), key=lambda g: g["inputs"]["priority"])
    for before, after in zip(groups, groups[1:]):
        assert before["urn"] in after["dependencies"]
    firewall = resource(plan, NET + "AzureFirewall")
    assert {g["urn"] for g in groups} <= set(firewall["dependencies"])


def test_rule_groups_hold_exactly_what_hosts_lists(plan):
    listed = hosts_of(FIXTURE)
    assert group_rules(plan) == {(r["host"], r["port"], r["protocol"]) for r in listed}
    assert len(listed) == 37
    # The same list is a stack output, in phase order.
    assert plan["outputs"]["egressRules"] == listed


def test_rule_groups_are_grouped_by_who_needs_them(plan):
    by_group = {g["inputs"]["ruleCollectionGroupName"]: g for g in of_type(plan, GROUP)}
    gpu = by_group["azureml-mlprod-gpu"]["inputs"]["ruleCollections"]
    assert [c["name"] for c in gpu] == ["gpu-fqdn"]
    assert sorted(gpu[0]["rules"][0]["targetFqdns"]) == [
        "download.docker.com",
        "nvidia.github.io",
        "us.download.nvidia.com",
    ]
    aks = by_group["azureml-mlprod-aks"]["inputs"]["ruleCollections"]
    network_rules = next(c for c in aks if c["name"] == "aks-network")["rules"]
    assert [(r["ipProtocols"], r["destinationPorts"]) for r in network_rules] == [
        (["UDP"], ["1194"]),
        (["TCP"], ["9000"]),
        (["UDP"], ["123"]),
    ]
    assert network_rules[0]["destinationAddresses"] == ["AzureCloud.westeurope"]
    assert network_rules[2]["destinationFqdns"] == ["ntp.ubuntu.com"]
    assert all(r["sourceAddresses"] == ["10.224.0.0/16"] for r in network_rules)


def test_the_own_firewall_passes_the_egress_policy():
    result = run_preflight("check", "--config", str(FIXTURE), "--format", "json")
    names = [v["policy"] for v in json.loads(result.stdout)["violations"]]
    assert "egress-covers-documented-hosts" not in names, result.stdout


def test_an_existing_policy_gets_only_the_rule_groups(stack_file):
    config = fixture_config()
    config["azureml-k8s:cluster"]["network"] = {
        "subnetId": SUBNET_ID,
        "outboundType": "userDefinedRouting",
    }
    config["azureml-k8s:egress"] = {"firewall": POLICY_ID, "sourceAddresses": ["10.240.0.0/16"]}
    del config["azureml-k8s:dns"]
    plan = plan_of(stack_file(config))
    types = {r["type"] for r in plan["resources"]}
    assert (
        not {NET + t for t in ("AzureFirewall", "FirewallPolicy", "RouteTable", "Subnet")} & types
    )
    groups = of_type(plan, GROUP)
    assert groups and all(
        g["inputs"]["firewallPolicyName"] == "hub-policy"
        and g["inputs"]["resourceGroupName"] == "rg-hub"
        for g in groups
    )
    rule = groups[0]["inputs"]["ruleCollections"][0]["rules"][0]
    assert rule["sourceAddresses"] == ["10.240.0.0/16"]
    cluster = resource(plan, "azure-native:containerservice:ManagedCluster")["inputs"]
    assert cluster["agentPoolProfiles"][0]["vnetSubnetID"] == SUBNET_ID


def test_arc_gets_the_rules_as_an_output_and_no_azure_network(stack_file):
    config = yaml.safe_load((ROOT / "stacks" / "Pulumi.edge.yaml").read_text())["config"]
    config["azureml-k8s:egress"] = {"extraHosts": ["proxy-check.contoso.com:443"]}
    plan = plan_of(stack_file(config))
    assert not [r for r in plan["resources"] if r["type"].startswith(NET)]
    rules = plan["outputs"]["egressRules"]
    assert rules[-1]["host"] == "proxy-check.contoso.com" and rules[0]["why"] == "arc"


# Settings errors, in process: each names the key and the fix -------------------------------------


def flat(config: dict) -> dict[str, str]:
    return {
        key: json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        for key, value in config.items()
    }


def errors_of(config: dict) -> list[tuple[str, str]]:
    with pytest.raises(SettingsError) as caught:
        parse(flat(config), set(), "Pulumi.t.yaml", ROOT)
    return caught.value.errors


def mutated(*changes) -> dict:
    config = copy.deepcopy(fixture_config())
    for path, value in changes:
        target = config
        for key in path[:-1]:
            target = target[key]
        if value is None:
            target.pop(path[-1])
        else:
            target[path[-1]] = value
    return config


CLUSTER, EGRESS, WORKSPACE = "azureml-k8s:cluster", "azureml-k8s:egress", "azureml-k8s:workspace"


@pytest.mark.parametrize(
    "changes,path,message",
    [
        (
            [((CLUSTER, "network"), {"outboundType": "loadBalancer"})],
            "config.azureml-k8s:egress",
            "egress on AKS needs a subnet to route through the firewall",
        ),
        (
            [((CLUSTER, "network", "vnet"), None), ((CLUSTER, "network", "subnetId"), SUBNET_ID)],
            "config.azureml-k8s:egress.firewall",
            "use cluster.network.vnet instead of subnetId",
        ),
        (
            [((EGRESS, "firewall"), POLICY_ID)],
            "config.azureml-k8s:egress.firewall",
            "set cluster.network.subnetId",
        ),
        (
            [((CLUSTER, "network", "outboundType"), "loadBalancer")],
            "config.azureml-k8s:cluster.network.outboundType",
            "set outboundType: userDefinedRouting",
        ),
        (
            [((EGRESS,), None)],
            "config.azureml-k8s:cluster.network.outboundType",
            "needs egress.firewall: create",
        ),
        (
            [((WORKSPACE, "storageAccount"), None)],
            "config.azureml-k8s:workspace.storageAccount",
            "set workspace.storageAccount and workspace.containerRegistry",
        ),
        (
            [((EGRESS, "firewallSubnetPrefix"), "10.224.1.0/26")],
            "config.azureml-k8s:egress.firewallSubnetPrefix",
            "overlaps the node subnet 10.224.0.0/16",
        ),
        (
            [((EGRESS, "firewall"), "make-one")],
            "config.azureml-k8s:egress.firewall",
            "must be 'create' or a firewall policy resource id",
        ),
        (
            [((CLUSTER.replace("cluster", "extension"), "internalLoadBalancerProvider"), None)],
            "config.azureml-k8s:extension.inferenceRouterServiceType",
            "a public load balancer for azureml-fe behind egress.firewall: create breaks scoring",
        ),
        (
            [((EGRESS, "firewallPublicIps"), 251)],
            "config.azureml-k8s:egress.firewallPublicIps",
            "less than or equal to 250",
        ),
        (
            [((EGRESS, "firewallPublicIps"), 0)],
            "config.azureml-k8s:egress.firewallPublicIps",
            "greater than or equal to 1",
        ),
        (
            [
                ((EGRESS, "firewallPublicIps"), 200),
                ((CLUSTER, "apiServer", "authorizedIpRanges"), ["203.0.113.0/24"]),
            ],
            "config.azureml-k8s:cluster.apiServer.authorizedIpRanges",
            "and the firewall's 200 public IPs; AKS allows 200",
        ),
        (
            [((WORKSPACE, "containerRegistry"), "no")],
            "config.azureml-k8s:workspace.containerRegistry",
            "not a container registry name",
        ),
    ],
)
def test_bad_egress_settings(changes, path, message):
    found = errors_of(mutated(*changes))
    assert any(p == path and message in m for p, m in found), found


def test_the_fixture_is_valid():
    settings = parse(flat(fixture_config()), set(), "Pulumi.t.yaml", ROOT)
    assert settings.egress.creates_firewall and settings.dns.zone == "ml.contoso.com"


def test_egress_without_a_subnet_is_exit_2_under_preflight(stack_file):
    config = mutated(((CLUSTER, "network"), {"outboundType": "loadBalancer"}))
    result = run_preflight("preview", "--config", str(stack_file(config)))
    assert result.returncode == 2, result.stderr
    assert "config.azureml-k8s:egress: egress on AKS needs a subnet" in result.stderr
    assert "Traceback" not in result.stderr


def test_firewall_ips_default_by_environment_and_can_be_set():
    from stacks.settings.egress import firewall_public_ips

    def count(config: dict) -> int:
        return firewall_public_ips(parse(flat(config), set(), "Pulumi.t.yaml", ROOT))

    assert count(fixture_config()) == 20  # prod: Learn's production minimum
    assert count(mutated((("azureml-k8s:environment",), "dev"))) == 1
    assert count(mutated(((EGRESS, "firewallPublicIps"), 3))) == 3
    existing = mutated(
        ((EGRESS, "firewall"), POLICY_ID),
        ((EGRESS, "sourceAddresses"), ["10.240.0.0/16"]),
        ((CLUSTER, "network"), {"subnetId": SUBNET_ID, "outboundType": "userDefinedRouting"}),
    )
    assert count(existing) == 0  # an existing firewall keeps its own IPs


def test_the_api_server_admits_the_firewall_ips(plan, stack_file):
    """The nodes reach a restricted API server from the firewall's public IPs: each is
    admitted as a /32, after the stack's ranges and Azure ML's (known at deploy)."""
    ranges = resource(plan, "azure-native:containerservice:ManagedCluster")["inputs"][
        "apiServerAccessProfile"
    ]["authorizedIPRanges"]
    assert ranges[0] == "203.0.113.0/24"
    known = [r for r in ranges if isinstance(r, str) and "/" in r]
    assert len(ranges) - len(known) == 20, ranges  # the 20 public IPs, unknown at preview
    open_config = mutated(((CLUSTER, "apiServer"), None), ((EGRESS, "firewallPublicIps"), 2))
    open_plan = plan_of(stack_file(open_config))
    profile = resource(open_plan, "azure-native:containerservice:ManagedCluster")["inputs"]
    assert not profile.get("apiServerAccessProfile", {}).get("authorizedIPRanges")
    assert len(of_type(open_plan, NET + "PublicIPAddress")) == 2


def test_a_public_router_behind_the_firewall_is_exit_2_with_its_source(stack_file):
    config = mutated(
        ((CLUSTER.replace("cluster", "extension"), "internalLoadBalancerProvider"), None)
    )
    result = run_preflight("preview", "--config", str(stack_file(config)))
    assert result.returncode == 2, result.stderr
    assert "config.azureml-k8s:extension.inferenceRouterServiceType" in result.stderr
    assert "https://learn.microsoft.com/azure/aks/limit-egress-traffic" in result.stderr
    assert "Traceback" not in result.stderr


def test_names_made_from_a_long_underscored_cluster_name_are_valid(stack_file):
    """AKS takes 63 characters with '_'; every name the program makes from it is valid for its
    own resource (shortened with a digest where it must be), the same on every run."""
    from catalog import naming

    cluster = "ml_" + "x" * 60
    config = mutated(((CLUSTER, "name"), cluster))
    plan = plan_of(stack_file(config))
    names = {
        "operationalinsights:Workspace": ("workspaceName", naming.LOG_ANALYTICS_WORKSPACE),
        "network:VirtualNetwork": ("virtualNetworkName", naming.VIRTUAL_NETWORK),
        "network:AzureFirewall": ("azureFirewallName", naming.NETWORK_RESOURCE),
        "network:FirewallPolicy": ("firewallPolicyName", naming.NETWORK_RESOURCE),
        "network:RouteTable": ("routeTableName", naming.NETWORK_RESOURCE),
        "network:PublicIPAddress": ("publicIpAddressName", naming.NETWORK_RESOURCE),
        "network:FirewallPolicyRuleCollectionGroup": (
            "ruleCollectionGroupName",
            naming.NETWORK_RESOURCE,
        ),
    }
    seen = 0
    for item in plan["resources"]:
        kind = item["type"].removeprefix("azure-native:")
        if kind in names:
            key, rule = names[kind]
            assert rule.problem(item["inputs"][key]) is None, item["inputs"][key]
            seen += 1
    assert seen == 1 + 1 + 1 + 1 + 1 + 20 + 7, seen
    assert plan_of(stack_file(config))["resources"] == plan["resources"]
