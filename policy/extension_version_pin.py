"""extension-version-pin: a pinned Azure ML extension version comes with minor-version
auto-upgrade off, as ARM requires."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import is_true
from policy.resources import Graph, get, peek
from policy.rule import Context, Finding, Rule

NAME = "extension-version-pin"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    for extension in graph.azureml_extensions():
        version = get(extension.props, "version")
        auto = get(extension.props, "autoUpgradeMinorVersion", default=True)
        if version and (auto is None or is_true(auto)):
            yield Finding(
                extension,
                f"the Azure ML extension pins version {peek(extension.props, 'version')} with "
                "autoUpgradeMinorVersion on (its default): ARM refuses the pair. Set "
                "autoUpgradeMinorVersion: false to pin, or drop version to follow the release "
                "train.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="A pinned extension version has autoUpgradeMinorVersion: false.",
    why="'To use version, autoUpgradeMinorVersion must be false' (the extensions REST API): the "
    "deploy fails otherwise; and a version that auto-upgrades is not pinned.",
    fix="Set autoUpgradeMinorVersion: false with version, or remove version.",
    url="https://learn.microsoft.com/azure/aks/deploy-extensions-az-cli",
    check=check,
)
