"""one-nvidia-device-plugin: the Azure ML extension's device plugin and one the program installs
itself do not run side by side."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog.extension import is_true
from policy.resources import Graph, get, installs_device_plugin
from policy.rule import PLUGIN_NAMES_CONFIG, Context, Finding, Rule

NAME = "one-nvidia-device-plugin"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if not installs_device_plugin(graph, context.config["pluginNames"]):
        return
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        if is_true(get(settings, "installNvidiaDevicePlugin")):
            yield Finding(
                extension,
                "the Azure ML extension installs the NVIDIA device plugin and the program "
                "installs one too (a device plugin DaemonSet, Helm release or the GPU operator): "
                "two plugins on the same nodes clash. Keep one: set installNvidiaDevicePlugin: "
                "False, or remove your own.",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="One NVIDIA device plugin per node: the extension's (installNvidiaDevicePlugin) or your "
    "own, not both.",
    why="AKS's MLOps guidance: 'Don't run multiple NVIDIA device plugin DaemonSets on the same "
    "nodes'; the GPU operator brings its own plugin too.",
    fix="Set installNvidiaDevicePlugin: False when the program deploys the plugin or the GPU "
    "operator, or remove them.",
    url="https://learn.microsoft.com/azure/aks/best-practices-ml-ops",
    check=check,
    config={"pluginNames": PLUGIN_NAMES_CONFIG},
)
