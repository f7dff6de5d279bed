"""defender-on: Microsoft Defender for Containers on clusters running Azure ML."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import is_true
from policy.resources import Graph, cluster_label, get
from policy.rule import PRODUCTION_ONLY_CONFIG, Context, Finding, Rule

NAME = "defender-on"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if context.config["productionOnly"] and not context.production():
        return
    for cluster in graph.azureml_clusters():
        monitoring = get(cluster.props, "securityProfile", "defender", "securityMonitoring")
        if not is_true(get(monitoring, "enabled")):
            yield Finding(
                cluster,
                f"cluster {cluster_label(cluster)} runs Azure ML without Microsoft Defender for "
                "Containers: set securityProfile.defender.securityMonitoring.enabled with a "
                "Log Analytics workspace.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="Microsoft Defender for Containers on AKS clusters running Azure ML (production stacks by "
    "default).",
    why="Model images and their dependencies come from many places; Microsoft recommends Defender "
    "for Containers to scan them and watch the cluster at run time.",
    fix="Set securityProfile.defender.securityMonitoring.enabled: true and "
    "securityProfile.defender.logAnalyticsWorkspaceResourceId.",
    url="https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-introduction",
    check=check,
    config=PRODUCTION_ONLY_CONFIG,
)
