"""upgrades-have-windows: automatic upgrades of a production cluster run in planned maintenance
windows, not whenever AKS chooses."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import aks_upgrades, tokens
from policy.resources import Graph, cluster_label, get, same
from policy.rule import PRODUCTION_ONLY_CONFIG, Context, Finding, Rule

NAME = "upgrades-have-windows"


def _windows(graph: Graph, cluster: PolicyResource) -> set[str]:
    """The maintenance configuration names the program gives the cluster."""
    found = set()
    for config in graph.of_type(tokens.MAINTENANCE_CONFIGURATION):
        owner = graph.managed_cluster(config, "resourceName", "resourceGroupName", "resourceName")
        if owner is cluster:
            found.add(str(get(config.props, "configName", default="")).lower())
    return found


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if context.config["productionOnly"] and not context.production():
        return
    for cluster in graph.azureml_clusters():
        profile = get(cluster.props, "autoUpgradeProfile", default={})
        channel = str(get(profile, "upgradeChannel", default="none") or "none")
        # AKS's node OS default is NodeImage: weekly node image upgrades unless turned off.
        node_os = str(get(profile, "nodeOSUpgradeChannel", default="NodeImage") or "NodeImage")
        windows = _windows(graph, cluster)
        wanted = []
        if not same(channel, aks_upgrades.CHANNEL_NONE):
            wanted.append((aks_upgrades.AUTO_UPGRADE_SCHEDULE, f"Kubernetes ({channel})"))
        if node_os not in aks_upgrades.NODE_OS_CHANNELS_OFF:
            wanted.append((aks_upgrades.NODE_OS_SCHEDULE, f"node OS ({node_os})"))
        for config_name, what in wanted:
            if config_name.lower() not in windows:
                yield Finding(
                    cluster,
                    f"cluster {cluster_label(cluster)} upgrades {what} automatically without a "
                    f"maintenance window: add a MaintenanceConfiguration '{config_name}' (at least "
                    "4 hours, when training jobs and scoring traffic are low).",
                )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="Automatic Kubernetes and node OS upgrades of production clusters have maintenance "
    "windows.",
    why="Upgrades surge and drain nodes: without a window they can start in the middle of a "
    "training run or a traffic peak.",
    fix="Add MaintenanceConfiguration resources aksManagedAutoUpgradeSchedule and "
    "aksManagedNodeOSUpgradeSchedule for the cluster (weekly, 4 hours or more).",
    url="https://learn.microsoft.com/azure/aks/planned-maintenance",
    check=check,
    config=PRODUCTION_ONLY_CONFIG,
)
