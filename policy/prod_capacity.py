"""prod-capacity: a production cluster is sure of at least 4 vCPU and 14 GB."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from catalog import aks, vm_sizes
from policy.resources import Graph, cluster_label, get
from policy.rule import PRODUCTION_CONFIG, Context, Finding, Rule

NAME = "prod-capacity"


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    if not context.production():
        return
    declared = {
        name: vm_sizes.VmSize(int(size["vcpu"]), float(size["memoryGiB"]))
        for name, size in context.config["vmSizes"].items()
    }
    want_cpu, want_memory = context.config["minVcpu"], context.config["minMemoryGiB"]
    for cluster in graph.azureml_clusters():
        vcpu, memory, unknown = 0, 0.0, []
        for pool in graph.agent_pools(cluster):
            nodes = aks.sure_nodes(
                get(pool, "count"), get(pool, "minCount"), get(pool, "enableAutoScaling")
            )
            if nodes == 0:
                continue
            size_name = str(get(pool, "vmSize", default=""))
            size = vm_sizes.lookup(size_name, declared)
            if size is None:
                unknown.append(size_name or "(no vmSize)")
                continue
            vcpu += nodes * size.vcpu
            memory += nodes * size.memory_gib
        label = cluster_label(cluster)
        if unknown:
            yield Finding(
                cluster,
                f"cluster {label}: VM size(s) {', '.join(sorted(set(unknown)))} unknown to the "
                "catalog: declare them in this policy's config under vmSizes so capacity can be "
                "checked.",
            )
        elif vcpu < want_cpu or memory < want_memory:
            yield Finding(
                cluster,
                f"production cluster {label} is sure of {vcpu} vCPU and {memory:g} GiB; Azure ML "
                f"needs at least {want_cpu} vCPU and {want_memory:g} GiB: add nodes or use "
                "larger sizes (autoscaled pools count their minCount).",
            )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    what="Production clusters running Azure ML are sure of at least 4 vCPU and 14 GB.",
    why="The extension's own components need room before any model runs; Microsoft asks for at "
    "least 4 vCPU and 14 GB in production. Autoscaled pools only guarantee their minCount.",
    fix="Raise count/minCount or the VM size of the cluster's pools.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension#prerequisites",
    check=check,
    config={
        "minVcpu": {"type": "number", "minimum": 0, "default": aks.PROD_MIN_VCPU},
        "minMemoryGiB": {"type": "number", "minimum": 0, "default": aks.PROD_MIN_MEMORY_GIB},
        "vmSizes": {
            "type": "object",
            "default": {},
            "description": "VM sizes the catalog lacks: name -> {vcpu, memoryGiB}.",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "vcpu": {"type": "integer", "minimum": 1},
                    "memoryGiB": {"type": "number", "exclusiveMinimum": 0},
                },
                "required": ["vcpu", "memoryGiB"],
                "additionalProperties": False,
            },
        },
        **PRODUCTION_CONFIG,
    },
)
