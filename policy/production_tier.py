"""production-tier: a production AKS cluster running Azure ML is on a tier with an uptime SLA."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policy.resources import Graph, cluster_label, get
from policy.rule import PRODUCTION_CONFIG, Context, Finding, Rule

NAME = "production-tier"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if not context.production():
        return
    for cluster in graph.azureml_clusters():
        tier = str(get(cluster.props, "sku", "tier", default="Free") or "Free")
        if tier.lower() == "free":
            yield Finding(
                cluster,
                f"production cluster {cluster_label(cluster)} is on the Free tier (no uptime "
                "SLA for its API server, which Azure ML and azureml-fe depend on): set "
                "sku.tier: Standard (or Premium for long-term support).",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="Production AKS clusters running Azure ML use the Standard or Premium tier.",
    why="The Free tier has no financially backed uptime for the API server (best effort), and is "
    "meant for fewer than 10 nodes; the Standard and Premium tiers carry the SLA.",
    fix="Set sku: {name: Base, tier: Standard} on the ManagedCluster (Premium needs supportPlan "
    "AKSLongTermSupport).",
    url="https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers",
    check=check,
    config=PRODUCTION_CONFIG,
)
