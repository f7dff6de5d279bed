"""legacy-aks-compute: a v1 `computeType: AKS` compute cannot host v2 online endpoints."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import tokens
from policy.resources import Graph, get, peek, same
from policy.rule import Context, Finding, Rule

NAME = "legacy-aks-compute"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for compute in graph.of_type(tokens.COMPUTE):
        if same(get(compute.props, "properties", "computeType", default=""), "AKS"):
            name = peek(compute.props, "computeName") or compute.name
            yield Finding(
                compute,
                f"compute '{name}' is a legacy computeType AKS (v1) attach: it cannot host v2 "
                "online endpoints and v1 support ended on 2025-09-30. Install the Azure ML "
                "extension and attach the cluster as computeType Kubernetes.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="No legacy computeType AKS (v1) computes.",
    why="The v1 AKS compute cannot host v2 online endpoints (Azure/azureml-examples#1474) and v1 "
    "CLI support ended on 2025-09-30; the legacy azureml-fe also blocks the extension's install "
    "(error E45005).",
    fix="Remove the v1 legacy azureml-fe, install the Azure ML extension and attach the cluster "
    "with computeType Kubernetes.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-migrate-from-v1",
    check=check,
)
