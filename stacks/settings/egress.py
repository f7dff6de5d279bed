"""`azureml-k8s:egress`: outbound traffic locked to the documented hosts.

The hosts come from catalog.hosts, filtered by what the stack enables (`needed_rules`); the
Network component turns them into firewall rules and `python -m preflight hosts` lists them.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from catalog import arm, hosts
from stacks.settings.base import Model, cidr
from stacks.settings.cluster import AksClusterSettings
from stacks.settings.errors import Problem

if TYPE_CHECKING:
    from stacks.settings.stack import Settings

CREATE = "create"
# Azure Firewall needs a subnet of this name, /26 or larger (Learn "Deploy and configure Azure
# Firewall", AzureFirewallSubnet).
FIREWALL_SUBNET_NAME = "AzureFirewallSubnet"
FIREWALL_SUBNET_MAX_PREFIX = 26
# Frontend (public) IPs of a created firewall: Learn "Limit network traffic with Azure Firewall
# in AKS", Firewall frontend IP requirements: "Production minimum: Use at least 20 frontend IPs on
# Azure Firewall to avoid source network address translation (SNAT) port exhaustion"; Azure
# Firewall limits: 250 public IP addresses at most.
FIREWALL_PUBLIC_IPS_PROD = 20
FIREWALL_PUBLIC_IPS_OTHER = 1
FIREWALL_PUBLIC_IPS_MAX = 250


class Egress(Model):
    """Outbound traffic through a firewall that lets only the documented hosts through."""

    firewall: str | None = Field(
        None,
        description="create: an Azure Firewall (standard SKU) with its own subnet, public IP and "
        "policy, and a route table sending 0.0.0.0/0 to it; a firewall policy resource id: only "
        "the rule collection groups, added to that policy. Unset: list the rules only (Arc: for "
        "the site's proxy).",
        examples=[CREATE, arm.FIREWALL_POLICY.example],
    )
    extraHosts: list[str] = Field(
        [],
        description="The team's own hosts, host:port (443 HTTPS, 80 HTTP, other ports TCP).",
        examples=[["pypi.org:443"]],
    )
    sourceAddresses: list[str] = Field(
        [],
        description="Source CIDRs of the rules; unset: the node subnet the stack creates. "
        "Required with an existing subnet.",
        examples=[["10.240.0.0/16"]],
    )
    firewallSubnetPrefix: str | None = Field(
        None,
        description="AzureFirewallSubnet prefix inside cluster.network.vnet (/26 or larger); "
        "unset: the last /26 of the VNet's address space.",
        examples=["10.239.255.192/26"],
    )
    firewallPublicIps: int | None = Field(
        None,
        ge=1,
        le=FIREWALL_PUBLIC_IPS_MAX,
        description="Public (frontend) IPs of a created firewall, each with its SNAT ports; "
        f"unset: {FIREWALL_PUBLIC_IPS_PROD} in prod (Learn's production minimum), "
        f"{FIREWALL_PUBLIC_IPS_OTHER} otherwise. The API server's authorized ranges admit them.",
    )
    priority: int = Field(
        1000,
        ge=100,
        le=64000,
        description="Priority of the first rule collection group; the next ones follow by 10.",
    )

    @field_validator("firewall")
    @classmethod
    def _firewall(cls, value: str | None) -> str | None:
        if value is not None and value != CREATE and arm.parse(value, arm.FIREWALL_POLICY) is None:
            raise ValueError(
                f"must be 'create' or a firewall policy resource id: {arm.FIREWALL_POLICY.example}"
            )
        return value

    @field_validator("extraHosts")
    @classmethod
    def _extra(cls, value: list[str]) -> list[str]:
        for item in value:
            hosts.parse_extra(item)
        return value

    @field_validator("sourceAddresses")
    @classmethod
    def _sources(cls, value: list[str]) -> list[str]:
        for item in value:
            cidr(item, "sourceAddresses")
        return value

    @field_validator("firewallSubnetPrefix")
    @classmethod
    def _subnet(cls, value: str | None) -> str | None:
        if value is not None:
            network = cidr(value, "firewallSubnetPrefix")
            if network.prefixlen > FIREWALL_SUBNET_MAX_PREFIX:
                raise ValueError(
                    f"{FIREWALL_SUBNET_NAME} must be /{FIREWALL_SUBNET_MAX_PREFIX} or larger"
                )
        return value

    @property
    def creates_firewall(self) -> bool:
        return self.firewall == CREATE

    @property
    def policy_id(self) -> arm.ResourceId | None:
        """The existing firewall policy the rule groups go into, when one is given."""
        return arm.parse(self.firewall, arm.FIREWALL_POLICY) if self.firewall else None

    def extra(self) -> list[tuple[str, int]]:
        return [hosts.parse_extra(item) for item in self.extraHosts]


# Derived facts ---------------------------------------------------------------------------------


def features(settings: Settings) -> hosts.Features:
    """What the stack enables, as catalog.hosts sees it."""
    cluster, extension = settings.cluster, settings.extension
    if isinstance(cluster, AksClusterSettings):
        gpu_pools = any(cluster.size_of(pool).gpus > 0 for pool in cluster.nodePools)
        name, private = cluster.name, cluster.apiServer.privateCluster
    else:
        gpu_pools, name, private = False, cluster.arm_id.name, False
    return hosts.Features(
        kind=cluster.kind,
        region=settings.region,
        training=extension.enableTraining,
        inference=extension.enableInference,
        gpu=gpu_pools or extension.installNvidiaDevicePlugin,
        private_cluster=private,
        cluster=name,
        workspaces=tuple(
            hosts.WorkspaceHosts(w.storageAccount, w.containerRegistry)
            for w in settings.attached_workspaces()
        )
        or (hosts.WorkspaceHosts(),),
    )


def needed_rules(settings: Settings) -> list[hosts.Rule]:
    """Every egress rule the stack needs, plus egress.extraHosts, ordered by phase."""
    extra = settings.egress.extra() if settings.egress else []
    return hosts.rules(features(settings), extra)


def firewall_public_ips(settings: Settings) -> int:
    """Public IPs of the firewall the stack creates (0 when it creates none)."""
    egress = settings.egress
    if egress is None or not egress.creates_firewall:
        return 0
    if egress.firewallPublicIps is not None:
        return egress.firewallPublicIps
    return FIREWALL_PUBLIC_IPS_PROD if settings.prod else FIREWALL_PUBLIC_IPS_OTHER


def firewall_subnet_prefix(settings: Settings) -> str | None:
    """The AzureFirewallSubnet prefix: the stack's, else the last /26 of the new VNet."""
    egress, cluster = settings.egress, settings.cluster
    if (
        egress is None
        or not isinstance(cluster, AksClusterSettings)
        or cluster.network.vnet is None
    ):
        return None
    if egress.firewallSubnetPrefix:
        return egress.firewallSubnetPrefix
    vnet = ipaddress.ip_network(cluster.network.vnet.addressPrefix)
    last = ipaddress.ip_network(
        f"{vnet.broadcast_address - (2 ** (vnet.max_prefixlen - FIREWALL_SUBNET_MAX_PREFIX)) + 1}"
        f"/{FIREWALL_SUBNET_MAX_PREFIX}"
    )
    return str(last) if last.subnet_of(vnet) else None  # type: ignore[arg-type]


def source_addresses(settings: Settings) -> list[str]:
    """Where the rules' traffic comes from: the stack's CIDRs, else the new node subnet."""
    egress, cluster = settings.egress, settings.cluster
    if egress and egress.sourceAddresses:
        return list(egress.sourceAddresses)
    if isinstance(cluster, AksClusterSettings) and cluster.network.vnet is not None:
        return [cluster.network.vnet.subnetPrefix]
    return []


# Cross-field rules -----------------------------------------------------------------------------


def egress_problems(settings: Settings) -> list[Problem]:
    egress, cluster = settings.egress, settings.cluster
    network = cluster.network if isinstance(cluster, AksClusterSettings) else None
    problems = _routing_without_firewall(egress, network)
    if egress is None:
        return problems
    if network is None:
        if egress.firewall:
            problems.append(
                (
                    ("egress", "firewall"),
                    "on Arc the platform creates no Azure network: remove egress.firewall; the "
                    "rules are a stack output and `python -m preflight hosts` for the site's proxy",
                )
            )
        return problems
    if egress.firewall is None:
        return problems
    problems += _subnet_problems(egress, network)
    problems += _workspace_problems(settings)
    problems += _public_router_problems(settings)
    if egress.creates_firewall and network.vnet is not None:
        problems += _firewall_subnet_problems(settings, network.vnet)
    return problems


def _routing_without_firewall(egress: Egress | None, network) -> list[Problem]:
    if (
        network is not None
        and network.outboundType == "userDefinedRouting"
        and network.vnet is not None
        and not (egress and egress.creates_firewall)
    ):
        return [
            (
                ("cluster", "network", "outboundType"),
                "userDefinedRouting with a new vnet needs egress.firewall: create (the route table "
                "to the firewall is made with it); or use subnetId, an existing subnet whose route "
                "table sends 0.0.0.0/0 to your firewall",
            )
        ]
    return []


def _subnet_problems(egress: Egress, network) -> list[Problem]:
    """The node subnet and the firewall go together: a new VNet with a new firewall, an existing
    subnet with an existing policy, and the nodes routed through it."""
    at = ("egress",)
    problems: list[Problem] = []
    if network.vnet is None and network.subnetId is None:
        problems.append(
            (
                at,
                "egress on AKS needs a subnet to route through the firewall: set "
                "cluster.network.vnet (a new VNet; the route table is attached to its node "
                "subnet) or cluster.network.subnetId (an existing subnet routed to your firewall)",
            )
        )
    elif egress.creates_firewall and network.subnetId:
        problems.append(
            (
                (*at, "firewall"),
                "firewall: create makes the VNet, firewall and route table: use "
                "cluster.network.vnet instead of subnetId, or give your firewall policy's id to "
                "add the rules to it",
            )
        )
    elif not egress.creates_firewall and network.vnet is not None:
        problems.append(
            (
                (*at, "firewall"),
                "with your own firewall policy the nodes must already route to that firewall: set "
                "cluster.network.subnetId (a subnet whose route table sends 0.0.0.0/0 to it) "
                "instead of vnet, or use firewall: create",
            )
        )
    if network.outboundType != "userDefinedRouting":
        problems.append(
            (
                ("cluster", "network", "outboundType"),
                "egress.firewall sends the nodes' traffic through the firewall: set outboundType: "
                "userDefinedRouting",
            )
        )
    if not egress.creates_firewall and network.subnetId and not egress.sourceAddresses:
        problems.append(
            (
                (*at, "sourceAddresses"),
                "the rules need the node subnet's CIDR: set sourceAddresses (the existing "
                "subnet's address prefix cannot be read offline)",
            )
        )
    return problems


def _public_router_problems(settings: Settings) -> list[Problem]:
    """A public load balancer for azureml-fe behind the created firewall: its replies would
    leave through the firewall, which drops them."""
    egress, extension = settings.egress, settings.extension
    service = (extension.inferenceRouterServiceType or "").lower()
    if not (
        egress is not None
        and egress.creates_firewall
        and extension.enableInference
        and service == "loadbalancer"
        and not extension.internalLoadBalancerProvider
    ):
        return []
    return [
        (
            ("extension", "inferenceRouterServiceType"),
            "a public load balancer for azureml-fe behind egress.firewall: create breaks scoring: "
            "requests reach its public IP, but replies take the route to the firewall, which "
            "drops them (asymmetric routing: Learn 'Limit network traffic with Azure Firewall in "
            "AKS', https://learn.microsoft.com/azure/aks/limit-egress-traffic, and 'Integrate "
            "Azure Firewall with Azure Standard Load Balancer', "
            "https://learn.microsoft.com/azure/firewall/integrate-lb). Use an internal load "
            "balancer (extension.internalLoadBalancerProvider: azure, with a private DNS zone "
            "for dns), reached from the VNet or published by a DNAT rule on the firewall or an "
            "Application Gateway",
        )
    ]


def _workspace_problems(settings: Settings) -> list[Problem]:
    """Each workspace's storage account and registry go into firewall rules by name."""
    return [
        (
            (*settings.workspace_path(workspace), key),
            "egress.firewall writes the workspace's storage account and container registry into "
            "firewall rules (Learn: replace <your storage account name> and <your ACR name>), "
            "and the workspace cannot be read offline: set workspace.storageAccount and "
            "workspace.containerRegistry (the workspace's Overview page shows both)",
        )
        for workspace in settings.attached_workspaces()
        for key in ("storageAccount", "containerRegistry")
        if getattr(workspace, key) is None
    ]


def _firewall_subnet_problems(settings: Settings, vnet) -> list[Problem]:
    at = ("egress", "firewallSubnetPrefix")
    prefix = firewall_subnet_prefix(settings)
    space, nodes = ipaddress.ip_network(vnet.addressPrefix), ipaddress.ip_network(vnet.subnetPrefix)
    if prefix is None:
        return [(at, f"the VNet {space} has no room for a /26: set firewallSubnetPrefix")]
    subnet = ipaddress.ip_network(prefix)
    if subnet.version != space.version or not subnet.subnet_of(space):  # type: ignore[arg-type]
        return [(at, f"{subnet} is not inside cluster.network.vnet.addressPrefix {space}")]
    if subnet.overlaps(nodes):
        return [
            (
                at,
                f"{FIREWALL_SUBNET_NAME} {subnet} overlaps the node subnet {nodes}: set "
                "firewallSubnetPrefix to a free /26 of the VNet (or shrink subnetPrefix)",
            )
        ]
    return []
