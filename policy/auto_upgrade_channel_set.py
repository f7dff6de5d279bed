"""auto-upgrade-channel-set: a production cluster running Azure ML follows an auto-upgrade
channel instead of AKS's default, none."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import aks_upgrades
from policy.resources import Graph, cluster_label, get
from policy.rule import PRODUCTION_ONLY_CONFIG, Context, Finding, Rule

NAME = "auto-upgrade-channel-set"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if context.config["productionOnly"] and not context.production():
        return
    for cluster in graph.azureml_clusters():
        channel = get(cluster.props, "autoUpgradeProfile", "upgradeChannel")
        if channel is None or str(channel).lower() == aks_upgrades.CHANNEL_NONE:
            yield Finding(
                cluster,
                f"cluster {cluster_label(cluster)} has no auto-upgrade channel (none): it falls "
                "out of support unless someone upgrades it by hand. Set "
                "autoUpgradeProfile.upgradeChannel (patch keeps the minor version) and a "
                "maintenance window.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="Production AKS clusters running Azure ML have an auto-upgrade channel.",
    why="AKS's default channel is none: the Kubernetes version ages out of support while "
    "training jobs and endpoints keep running on it.",
    fix="Set autoUpgradeProfile.upgradeChannel: patch (or stable), with an "
    "aksManagedAutoUpgradeSchedule maintenance window.",
    url="https://learn.microsoft.com/azure/aks/auto-upgrade-cluster",
    check=check,
    config=PRODUCTION_ONLY_CONFIG,
)
