"""authorized-ranges-admit-azureml: an API server limited to authorized IP ranges must admit the
Azure ML control plane of its region and of the paired region."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import aks, regions, tokens
from catalog.extension import is_true
from policy.resources import Graph, cluster_label, get, known_items
from policy.rule import Context, Finding, Rule

NAME = "authorized-ranges-admit-azureml"


def _region(graph: Graph, cluster: PolicyResource) -> str | None:
    """The cluster's region: its location, else its resource group's, else the provider's."""
    location = get(cluster.props, "location")
    if location:
        return str(location)
    for group in graph.linked(cluster, tokens.RESOURCE_GROUP, via="resourceGroupName"):
        if get(group.props, "location"):
            return str(get(group.props, "location"))
    provider = cluster.provider
    return (
        str(get(provider.props, "location"))
        if provider and get(provider.props, "location")
        else None
    )


def _networks(ranges: list[str]) -> tuple[list[ipaddress.IPv4Network], list[str]]:
    networks, bad = [], []
    for text in ranges:
        try:
            networks.append(ipaddress.IPv4Network(str(text), strict=True))
        except ValueError:
            bad.append(str(text))
    return networks, bad


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    extra = {regions.normalize(k): v for k, v in context.config["controlPlaneRanges"].items()}
    for cluster in graph.azureml_clusters():
        profile = get(cluster.props, "apiServerAccessProfile", default={})
        # Ranges known only at deploy time (the egress firewall's public IPs) count towards the
        # limit; the control plane's must be among the known ones.
        known, later = known_items(get(profile, "authorizedIPRanges", default=[]))
        ranges = [str(r) for r in known]
        if not ranges or is_true(get(profile, "enablePrivateCluster")):
            continue  # no ranges, or a private cluster (where AKS ignores them)
        label = cluster_label(cluster)
        if len(ranges) + later > aks.MAX_AUTHORIZED_IP_RANGES:
            yield Finding(
                cluster,
                f"cluster {label} has {len(ranges) + later} authorized IP ranges; AKS allows at "
                f"most {aks.MAX_AUTHORIZED_IP_RANGES}: merge them into wider prefixes.",
            )
        if aks.NO_ACCESS_RANGE in ranges and len(ranges) > 1:
            yield Finding(
                cluster,
                f"cluster {label} mixes {aks.NO_ACCESS_RANGE} (no access) with other authorized "
                "ranges; AKS accepts it only alone.",
            )
            continue
        networks, bad = _networks(ranges)
        if bad:
            yield Finding(
                cluster,
                f"cluster {label}: authorized ranges {', '.join(bad)} are not IPv4 CIDRs that "
                "start at their network address.",
            )
        region = _region(graph, cluster)
        if region is None:
            yield Finding(
                cluster,
                f"cluster {label} limits its API server but its region is not set: set location "
                "so the Azure ML control-plane ranges can be checked.",
            )
            continue
        wanted = []
        for place in (region, regions.paired(region)):
            if place is None:
                continue
            known = list(regions.control_plane_ranges(place)) + list(
                extra.get(regions.normalize(place), [])
            )
            if not known:
                yield Finding(
                    cluster,
                    f"cluster {label}: no Azure ML control-plane ranges are known for region "
                    f"'{place}': list them (service tag AzureMachineLearning.{place}) in this "
                    "policy's config under controlPlaneRanges.",
                )
            wanted += known
        missing = [
            prefix
            for prefix in dict.fromkeys(wanted)
            if not any(ipaddress.IPv4Network(prefix, strict=False).subnet_of(n) for n in networks)
        ]
        if missing:
            shown = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            yield Finding(
                cluster,
                f"cluster {label} limits its API server to authorized IP ranges that omit the "
                f"Azure ML control plane of {region} and its pair: add {shown}.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="Authorized IP ranges admit the Azure ML control plane (region and pair), at most 200, "
    "0.0.0.0/32 alone.",
    why="Azure ML reaches the API server from the AzureMachineLearning service-tag ranges of the "
    "cluster's region and its pair; ranges that omit them break attach, jobs and deployments. AKS "
    "rejects more than 200 ranges and 0.0.0.0/32 mixed with others.",
    fix="Add the AzureMachineLearning.<region> and .<paired region> prefixes to "
    "apiServerAccessProfile.authorizedIPRanges (the stack setting adds them for you), keep at "
    "most 200 ranges, and use 0.0.0.0/32 only alone.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-attach-kubernetes-anywhere#limitations",
    check=check,
    config={
        "controlPlaneRanges": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "default": {},
            "description": "Extra AzureMachineLearning.<region> prefixes by region (service tags "
            "change weekly; regions the catalog lacks).",
        }
    },
)
