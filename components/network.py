"""The cluster's network: the node subnet, new or existing, and egress locked to documented hosts.

A new virtual network gets one subnet for the nodes; an existing subnet is used as it is.

With `egress.firewall: create` the VNet also gets an Azure Firewall (standard SKU) in its own
AzureFirewallSubnet with a public IP, a firewall policy whose rule collection groups hold the
stack's egress rules (one group per who needs them), and a route table on the node subnet sending
0.0.0.0/0 to the firewall's private IP. The chain is ordered by data: firewall subnet -> policy ->
rule groups -> firewall -> route table -> node subnet, so a cluster on that subnet is created after
the route and the rules exist. With `egress.firewall: <policy id>` only the rule collection groups
are made, in that policy.
"""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

import pulumi
from pulumi_azure_native import network

from catalog import hosts, naming
from components.options import children_of
from stacks.settings import NetworkSettings
from stacks.settings.egress import FIREWALL_SUBNET_NAME, Egress

# Rule collection groups take priorities from egress.priority on, one step apart.
_GROUP_PRIORITY_STEP = 10
_PROTOCOL_TYPES = {"https": "Https", "http": "Http"}


def _network_name(stem: str, suffix: str) -> str:
    """A Microsoft.Network name made from the cluster's: valid, or shortened with a digest."""
    return naming.fit(naming.NETWORK_RESOURCE, stem, suffix)


class Network(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: NetworkSettings,
        *,
        cluster_name: str,
        region: str,
        resource_group_name: pulumi.Input[str],
        egress: Egress | None = None,
        rules: list[hosts.Rule] | None = None,
        source_addresses: list[str] | None = None,
        firewall_subnet_prefix: str | None = None,
        firewall_public_ips: int = 1,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """egress, rules, source_addresses, firewall_subnet_prefix, firewall_public_ips: the
        stack's egress settings and what stacks.settings.egress derives from them (rules in
        phase order)."""
        super().__init__("azureml-k8s:index:Network", name, None, opts)
        self._name, self._opts = name, opts
        self._public_ip_count = firewall_public_ips
        self._public_ips: list[network.PublicIPAddress] = []
        subnet_id: pulumi.Input[str] | None = settings.subnetId
        firewall_id: pulumi.Input[str] | None = None
        groups: list[network.FirewallPolicyRuleCollectionGroup] = []
        policy = egress.policy_id if egress else None
        groups_args = (rules or [], source_addresses or [], egress.priority if egress else 0)
        if settings.vnet is not None:
            vnet = network.VirtualNetwork(
                f"{name}-vnet",
                resource_group_name=resource_group_name,
                virtual_network_name=naming.fit(naming.VIRTUAL_NETWORK, cluster_name, "-vnet"),
                location=region,
                address_space={"address_prefixes": [settings.vnet.addressPrefix]},
                opts=children_of(self, opts),
            )
            route_table = None
            if egress is not None and egress.creates_firewall:
                assert firewall_subnet_prefix is not None  # checked in the egress rules
                firewall, route_table, groups = self._firewall(
                    cluster_name,
                    region,
                    resource_group_name,
                    vnet,
                    firewall_subnet_prefix,
                    groups_args,
                )
                firewall_id = firewall.id
            subnet = network.Subnet(
                f"{name}-subnet",
                resource_group_name=resource_group_name,
                virtual_network_name=vnet.name,
                subnet_name="nodes",
                address_prefix=settings.vnet.subnetPrefix,
                route_table={"id": route_table.id} if route_table is not None else None,
                opts=children_of(self, opts),
            )
            subnet_id = subnet.id
        elif policy is not None:
            groups = self._groups(cluster_name, policy.name, policy.resource_group, groups_args, [])
        # None: AKS makes its own network for the nodes.
        self.subnet_id = pulumi.Output.from_input(subnet_id)
        self.firewall_id = pulumi.Output.from_input(firewall_id)
        self.rule_collection_group_ids = pulumi.Output.all(*[group.id for group in groups])
        # Where the nodes' egress leaves: what the API server's authorized ranges must admit.
        self.firewall_public_ips: list[pulumi.Output[str]] = [
            ip.ip_address.apply(lambda address: f"{address}/32") for ip in self._public_ips
        ]
        self.register_outputs(
            {
                "subnetId": self.subnet_id,
                "firewallId": self.firewall_id,
                "ruleCollectionGroupIds": self.rule_collection_group_ids,
                "firewallPublicIps": self.firewall_public_ips,
            }
        )

    def _firewall(
        self,
        cluster_name: str,
        region: str,
        resource_group_name: pulumi.Input[str],
        vnet: network.VirtualNetwork,
        subnet_prefix: str,
        groups_args: tuple[list[hosts.Rule], list[str], int],
    ) -> tuple[
        network.AzureFirewall, network.RouteTable, list[network.FirewallPolicyRuleCollectionGroup]
    ]:
        name, opts = self._name, self._opts
        subnet = network.Subnet(
            f"{name}-firewall-subnet",
            resource_group_name=resource_group_name,
            virtual_network_name=vnet.name,
            subnet_name=FIREWALL_SUBNET_NAME,
            address_prefix=subnet_prefix,
            opts=children_of(self, opts),
        )
        public_ips = [
            network.PublicIPAddress(
                f"{name}-firewall-ip{_nth(i)}",
                resource_group_name=resource_group_name,
                public_ip_address_name=_network_name(cluster_name, f"-firewall-ip{_nth(i)}"),
                location=region,
                sku={"name": "Standard", "tier": "Regional"},
                public_ip_allocation_method="Static",
                opts=children_of(self, opts),
            )
            for i in range(self._public_ip_count)
        ]
        self._public_ips = public_ips
        policy = self._policy(cluster_name, region, resource_group_name)
        groups = self._groups(cluster_name, policy.name, resource_group_name, groups_args, [policy])
        firewall = network.AzureFirewall(
            f"{name}-firewall",
            resource_group_name=resource_group_name,
            azure_firewall_name=_network_name(cluster_name, "-egress"),
            location=region,
            sku={"name": "AZFW_VNet", "tier": "Standard"},
            firewall_policy={"id": policy.id},
            # The first configuration holds the subnet; the others add frontends (SNAT ports).
            ip_configurations=[
                {
                    "name": f"egress{_nth(i)}",
                    **({"subnet": {"id": subnet.id}} if i == 0 else {}),
                    "public_ip_address": {"id": public_ip.id},
                }
                for i, public_ip in enumerate(public_ips)
            ],
            # The rules exist before any traffic is routed through the firewall.
            opts=children_of(self, opts, depends_on=list(groups)),
        )
        routes = self._routes(cluster_name, region, resource_group_name, firewall, public_ips)
        return firewall, routes, groups

    def _policy(
        self, cluster_name: str, region: str, resource_group_name: pulumi.Input[str]
    ) -> network.FirewallPolicy:
        return network.FirewallPolicy(
            f"{self._name}-firewall-policy",
            resource_group_name=resource_group_name,
            firewall_policy_name=_network_name(cluster_name, "-egress"),
            location=region,
            sku={"tier": "Standard"},
            # Network rules name FQDNs (ntp.ubuntu.com, extra hosts on other ports): the firewall
            # resolves them only as the nodes' DNS proxy.
            dns_settings={"enable_proxy": True},
            threat_intel_mode="Deny",
            opts=children_of(self, self._opts),
        )

    def _routes(
        self,
        cluster_name: str,
        region: str,
        resource_group_name: pulumi.Input[str],
        firewall: network.AzureFirewall,
        public_ips: list[network.PublicIPAddress],
    ) -> network.RouteTable:
        """0.0.0.0/0 to the firewall's private IP for the node subnet."""
        private_ip = firewall.ip_configurations.apply(
            lambda configs: configs[0].private_ip_address if configs else None
        )
        routes: list[network.RouteArgsDict] = [
            {
                "name": "default-via-firewall",
                "address_prefix": "0.0.0.0/0",
                "next_hop_type": "VirtualAppliance",
                "next_hop_ip_address": private_ip,
            }
        ]
        # The firewall's own public IPs stay reachable directly (asymmetric routing otherwise;
        # Learn "Limit network traffic with Azure Firewall in AKS").
        for i, public_ip in enumerate(public_ips):
            routes.append(
                {
                    "name": f"firewall-public-ip{_nth(i)}",
                    "address_prefix": public_ip.ip_address.apply(lambda ip: f"{ip}/32"),
                    "next_hop_type": "Internet",
                }
            )
        return network.RouteTable(
            f"{self._name}-routes",
            resource_group_name=resource_group_name,
            route_table_name=_network_name(cluster_name, "-egress"),
            location=region,
            routes=routes,
            opts=children_of(self, self._opts),
        )

    def _groups(
        self,
        cluster_name: str,
        policy_name: pulumi.Input[str],
        resource_group_name: pulumi.Input[str],
        groups_args: tuple[list[hosts.Rule], list[str], int],
        after: list[pulumi.Resource],
    ) -> list[network.FirewallPolicyRuleCollectionGroup]:
        """One rule collection group per who needs the rules, written one after another: Azure
        rejects concurrent updates of the same firewall policy."""
        rules, sources, priority = groups_args
        groups: list[network.FirewallPolicyRuleCollectionGroup] = []
        previous: list[pulumi.Resource] = list(after)
        for index, (why, members) in enumerate(rule_groups(rules)):
            group = network.FirewallPolicyRuleCollectionGroup(
                f"{self._name}-rules-{why}",
                resource_group_name=resource_group_name,
                firewall_policy_name=policy_name,
                rule_collection_group_name=_network_name(f"azureml-{cluster_name}", f"-{why}"),
                priority=priority + index * _GROUP_PRIORITY_STEP,
                rule_collections=rule_collections(why, members, sources),
                opts=children_of(self, self._opts, depends_on=previous),
            )
            groups.append(group)
            previous = [group]
        return groups


def _nth(index: int) -> str:
    """Names of the second and later of a kind: '', '-2', '-3', ... (the first keeps its name)."""
    return f"-{index + 1}" if index else ""


def rule_groups(rules: list[hosts.Rule]) -> list[tuple[str, list[hosts.Rule]]]:
    """The rules grouped by who needs them, in catalog.hosts.WHY order."""
    ordered = sorted(rules, key=lambda rule: hosts.WHY.index(rule.why))
    return [(why, list(members)) for why, members in groupby(ordered, key=lambda r: r.why)]


def rule_collections(
    why: str, rules: list[hosts.Rule], sources: list[str]
) -> list[network.FirewallPolicyFilterRuleCollectionArgs]:
    """A group's allow collections: FQDNs on HTTP(S) as application rules, one per protocol and
    port; everything else as network rules, one per destination, protocol and port. Typed
    arguments, not dicts: the provider does not rename the keys of union-typed lists."""
    collections: list[network.FirewallPolicyFilterRuleCollectionArgs] = []
    allow = network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow")
    fqdn = [rule for rule in rules if rule.application]
    if fqdn:
        key = attrgetter("protocol", "port")
        collections.append(
            network.FirewallPolicyFilterRuleCollectionArgs(
                rule_collection_type="FirewallPolicyFilterRuleCollection",
                name=f"{why}-fqdn",
                priority=100,
                action=allow,
                rules=[
                    network.ApplicationRuleArgs(
                        rule_type="ApplicationRule",
                        name=f"{why}-{protocol}-{port}",
                        source_addresses=sources,
                        protocols=[
                            network.FirewallPolicyRuleApplicationProtocolArgs(
                                protocol_type=_PROTOCOL_TYPES[protocol], port=port
                            )
                        ],
                        target_fqdns=sorted(rule.host for rule in members),
                    )
                    for (protocol, port), members in groupby(sorted(fqdn, key=key), key=key)
                ],
            )
        )
    others = [rule for rule in rules if not rule.application]
    if others:
        collections.append(
            network.FirewallPolicyFilterRuleCollectionArgs(
                rule_collection_type="FirewallPolicyFilterRuleCollection",
                name=f"{why}-network",
                priority=200,
                action=allow,
                rules=[
                    _network_rule(why, index, rule, sources) for index, rule in enumerate(others)
                ],
            )
        )
    return collections


def _network_rule(
    why: str, index: int, rule: hosts.Rule, sources: list[str]
) -> network.NetworkRuleArgs:
    tag = hosts.is_service_tag(rule.host)
    return network.NetworkRuleArgs(
        rule_type="NetworkRule",
        name=f"{why}-{rule.protocol}-{rule.port}-{index}",
        ip_protocols=[rule.protocol.upper()],
        source_addresses=sources,
        destination_ports=[str(rule.port)],
        destination_addresses=[rule.host] if tag else None,
        destination_fqdns=None if tag else [rule.host],
    )
