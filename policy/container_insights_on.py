"""container-insights-on: Azure ML uploads no container logs; Container Insights keeps them."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import is_true
from policy.resources import Graph, cluster_label, get
from policy.rule import PRODUCTION_ONLY_CONFIG, Context, Finding, Rule

NAME = "container-insights-on"
# ARM spells the Container Insights add-on "omsagent" (older templates "omsAgent").
_ADDON = "omsagent"


def _enabled(cluster) -> bool:
    addons = get(cluster.props, "addonProfiles", default={})
    for key in addons:
        if key.lower() == _ADDON and is_true(get(addons, key, "enabled")):
            return True
    return is_true(get(cluster.props, "azureMonitorProfile", "containerInsights", "enabled"))


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if context.config["productionOnly"] and not context.production():
        return
    for cluster in graph.azureml_clusters():
        if not _enabled(cluster):
            yield Finding(
                cluster,
                f"cluster {cluster_label(cluster)} runs Azure ML without Container Insights: "
                "Azure ML uploads no container logs, so failed jobs and deployments leave none. "
                "Enable addonProfiles.omsagent with a Log Analytics workspace.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="Container Insights on AKS clusters running Azure ML (production stacks by default).",
    why="Azure ML does not upload container logs from Kubernetes computes; Microsoft recommends "
    "Container Insights to keep them.",
    fix="Enable addonProfiles.omsagent (config.logAnalyticsWorkspaceResourceID) or "
    "azureMonitorProfile.containerInsights on the cluster.",
    url="https://learn.microsoft.com/azure/azure-monitor/containers/container-insights-overview",
    check=check,
    config=PRODUCTION_ONLY_CONFIG,
)
