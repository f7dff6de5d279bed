"""https-in-prod: no plain-HTTP scoring endpoints in a production stack."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import is_true
from policy.resources import Graph, get
from policy.rule import PRODUCTION_CONFIG, Context, Finding, Rule

NAME = "https-in-prod"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if not context.production():
        return
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        if is_true(get(settings, "enableInference")) and is_true(
            get(settings, "allowInsecureConnections")
        ):
            yield Finding(
                extension,
                f"stack '{context.stack}' is production but the Azure ML extension allows "
                "insecure (HTTP) scoring connections: remove allowInsecureConnections and set "
                "sslCname with sslSecret or the PEM pair.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="No allowInsecureConnections on an inference extension in a production stack.",
    why="HTTP scoring sends keys, tokens and payloads in clear text; the docs allow it for "
    "dev/test only.",
    fix="Set allowInsecureConnections to False and configure HTTPS (sslCname plus sslSecret or "
    "the protected PEM pair). Mark production stacks with productionStacks/productionTags.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-secure-kubernetes-online-endpoint",
    check=check,
    config=PRODUCTION_CONFIG,
)
