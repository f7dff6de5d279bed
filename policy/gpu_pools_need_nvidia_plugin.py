"""gpu-pools-need-nvidia-plugin: NVIDIA GPU nodes need the device plugin for Azure ML to use them."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import vm_sizes
from catalog.extension import is_true
from policy.resources import Graph, get, installs_device_plugin
from policy.rule import PLUGIN_NAMES_CONFIG, Context, Finding, Rule

NAME = "gpu-pools-need-nvidia-plugin"


def _gpu_sizes(graph: Graph, cluster, prefixes: list[str]) -> list[str]:
    out = []
    for pool in graph.agent_pools(cluster):
        name = str(get(pool, "vmSize", default=""))
        size = vm_sizes.lookup(name)
        if (size and size.gpus) or any(name.lower().startswith(p.lower()) for p in prefixes):
            out.append(name)
    return sorted(set(out))


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if installs_device_plugin(graph, context.config["pluginNames"]):
        return
    for extension in graph.azureml_extensions():
        settings = get(extension.props, "configurationSettings", default={})
        if is_true(get(settings, "installNvidiaDevicePlugin")):
            continue
        cluster = graph.extension_cluster(extension)
        if cluster is None:
            continue
        sizes = _gpu_sizes(graph, cluster, context.config["gpuSizePrefixes"])
        if sizes:
            yield Finding(
                extension,
                f"the cluster has GPU node pools ({', '.join(sizes)}) but the Azure ML extension "
                "does not install the NVIDIA device plugin: set installNvidiaDevicePlugin: True "
                "(or install the plugin or the GPU operator yourself).",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="GPU node pools come with the NVIDIA device plugin (installNvidiaDevicePlugin or "
    "your own).",
    why="Without the device plugin Kubernetes does not advertise nvidia.com/gpu, so GPU instance "
    "types never schedule and jobs wait forever.",
    fix="Set the extension setting installNvidiaDevicePlugin: True, or deploy the NVIDIA device "
    "plugin or GPU operator in the program.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension#review-azure-machine-learning-extension-configuration-settings",
    check=check,
    config={
        "gpuSizePrefixes": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["Standard_NC", "Standard_ND", "Standard_NV"],
            "description": "VM size prefixes of NVIDIA GPU sizes the catalog does not list.",
        },
        "pluginNames": PLUGIN_NAMES_CONFIG,
    },
)
