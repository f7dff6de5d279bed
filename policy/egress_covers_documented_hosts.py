"""egress-covers-documented-hosts: a cluster whose egress goes through a firewall must be let
through to every documented host its Azure ML features need.

The cluster routes its egress through a firewall (outboundType userDefinedRouting) and the program
holds that firewall's policy rules (FirewallPolicyRuleCollectionGroup resources): every host
catalog.hosts lists for the cluster's features (AKS, the extension, inference, training, GPU
nodes, the workspace's storage and registry) must be allowed by an Allow rule on its port and
protocol. Names the program cannot tell (the workspace's storage account and registry) match any
single DNS label. A program without rule groups keeps its firewall elsewhere: nothing to check.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import hosts, vm_sizes
from catalog.extension import is_true
from policy.resources import Graph, cluster_label, get
from policy.rule import Context, Finding, Rule

NAME = "egress-covers-documented-hosts"
RULE_COLLECTION_GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
# Azure Firewall's FQDN tag for AKS's own hosts (Learn "Limit network traffic with Azure Firewall
# in AKS"): an application rule with it lets the AKS hosts through.
AKS_FQDN_TAG = "azurekubernetesservice"


def _allowed_rules(graph: Graph) -> list[Any]:
    """Every rule of every Allow filter collection in the program's rule collection groups."""
    out: list[Any] = []
    for group in graph.of_type(RULE_COLLECTION_GROUP):
        for collection in get(group.props, "ruleCollections", default=[]):
            action = str(get(collection, "action", "type", default="")).lower()
            if action == "allow":
                out.extend(get(collection, "rules", default=[]))
    return out


def _ports(values: list[Any]) -> list[tuple[int, int]]:
    spans = []
    for value in values:
        text = str(value).strip()
        if text == "*":
            spans.append((0, 65535))
            continue
        low, _, high = text.partition("-")
        if low.isdigit() and (high or low).isdigit():
            spans.append((int(low), int(high or low)))
    return spans


def _lets_through(rule: Any, needed: hosts.Rule) -> bool:
    kind = str(get(rule, "ruleType", default=""))
    if kind == "ApplicationRule":
        if not needed.application:
            return False
        protocols = [
            (str(get(p, "protocolType", default="")).lower(), int(get(p, "port", default=0)))
            for p in get(rule, "protocols", default=[])
        ]
        if (needed.protocol, needed.port) not in protocols:
            return False
        tags = [str(tag).lower() for tag in get(rule, "fqdnTags", default=[])]
        if needed.why == "aks" and AKS_FQDN_TAG in tags:
            return True
        return any(hosts.covers(str(f), needed.host) for f in get(rule, "targetFqdns", default=[]))
    if kind == "NetworkRule":
        ip_protocols = {str(p).upper() for p in get(rule, "ipProtocols", default=[])}
        wanted = "TCP" if needed.application else needed.protocol.upper()
        if not ({wanted, "ANY"} & ip_protocols):
            return False
        if not any(
            lo <= needed.port <= hi for lo, hi in _ports(get(rule, "destinationPorts", default=[]))
        ):
            return False
        destinations = list(get(rule, "destinationAddresses", default=[]))
        destinations += list(get(rule, "destinationFqdns", default=[]))
        return any(hosts.covers(str(d), needed.host) for d in destinations)
    return False


def features(graph: Graph, cluster: PolicyResource) -> hosts.Features:
    """The cluster's features as the program declares them."""
    settings = [
        get(extension.props, "configurationSettings", default={})
        for extension in graph.cluster_extensions(cluster)
    ]
    plugin = any(is_true(get(s, "installNvidiaDevicePlugin")) for s in settings)
    gpu_pools = any(
        (size := vm_sizes.lookup(str(get(pool, "vmSize", default="")))) and size.gpus
        for pool in graph.agent_pools(cluster)
    )
    return hosts.Features(
        kind="aks",
        region=get(cluster.props, "location"),
        training=any(is_true(get(s, "enableTraining")) for s in settings),
        inference=any(is_true(get(s, "enableInference")) for s in settings),
        gpu=bool(gpu_pools) or plugin,
        private_cluster=bool(
            get(cluster.props, "apiServerAccessProfile", "enablePrivateCluster", default=False)
        ),
        cluster=get(cluster.props, "dnsPrefix") or get(cluster.props, "resourceName"),
    )


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if not graph.of_type(RULE_COLLECTION_GROUP):
        return
    allowed = _allowed_rules(graph)
    for cluster in graph.azureml_clusters():
        outbound = get(cluster.props, "networkProfile", "outboundType", default="")
        if str(outbound).lower() != "userdefinedrouting":
            continue
        missing = [
            needed
            for needed in hosts.rules(features(graph, cluster))
            if not any(_lets_through(rule, needed) for rule in allowed)
        ]
        if not missing:
            continue
        by_phase = "; ".join(
            f"{phase}: " + ", ".join(f"{r.host}:{r.port}/{r.protocol} ({r.why})" for r in members)
            for phase, members in groupby(missing, key=lambda r: r.phase)
        )
        yield Finding(
            cluster,
            f"cluster {cluster_label(cluster)} sends its egress through a firewall "
            f"(userDefinedRouting) whose policy rules in this program lack {len(missing)} "
            f"documented host(s); the '{missing[0].phase}' phase would fail first. Missing: "
            f"{by_phase}.",
        )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="A cluster egressing through a firewall must be allowed every documented host its "
    "Azure ML features need.",
    why="Behind a locked-down firewall a missing host fails silently at the phase that first "
    "needs it: the router cannot pull its images, read its configuration from storage or report "
    "telemetry, and models cannot be pulled from the workspace's registry.",
    fix="Add the missing hosts to the firewall policy's rule collection groups (application rules "
    "for HTTP(S) FQDNs, network rules for the rest); `python -m preflight hosts --stack <name>` "
    "lists them, and egress.firewall: create makes them for you.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall#scenario-use-kubernetes-compute",
    check=check,
)
