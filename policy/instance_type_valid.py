"""instance-type-valid: instance types with CPU and memory requests and limits, GPUs as a whole
number in limits only, and a nodeSelector the extension's nodeSelector covers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import instance_types, tokens
from policy.resources import Graph, get, peek
from policy.rule import Context, Finding, Rule

NAME = "instance-type-valid"


def _extension_selector(graph: Graph, extensions: list[PolicyResource]) -> dict[str, object]:
    """The nodeSelector of the one Azure ML extension these instance types live under; none
    (no subset rule) when that is not one extension."""
    if len(extensions) != 1:
        return {}
    return instance_types.extension_node_selector(
        get(extensions[0].props, "configurationSettings", default={})
    )


def _problems(name: str, spec, extension_selector) -> list[str]:
    found = instance_types.spec_problems(spec)
    selector = get(spec, "nodeSelector", default={})
    if isinstance(selector, Mapping):
        found += instance_types.node_selector_problems(selector, extension_selector)
    return [f"instance type '{name}': {path or 'spec'}: {message}" for path, message in found]


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    everywhere = _extension_selector(graph, graph.azureml_extensions())
    for resource in graph.of_type(tokens.INSTANCE_TYPE):
        name = peek(resource.props, "metadata", "name") or resource.name
        problems = _problems(name, get(resource.props, "spec"), everywhere)
        if problems:
            yield Finding(resource, "; ".join(problems))
    for compute in graph.kubernetes_computes():
        inline = get(compute.props, "properties", "properties", "instanceTypes", default={})
        if not inline:
            continue
        cluster = graph.compute_cluster(compute)
        selector = (
            _extension_selector(graph, graph.cluster_extensions(cluster))
            if cluster is not None
            else everywhere
        )
        problems = [p for name in sorted(inline) for p in _problems(name, inline[name], selector)]
        if problems:
            yield Finding(compute, "; ".join(problems))


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="Instance types have CPU and memory requests and limits, GPUs in limits as a whole "
    "number, and a nodeSelector within the extension's.",
    why="Azure ML rejects or cannot schedule instance types without non-zero CPU and memory "
    "requests and limits, with nvidia.com/gpu in requests or as a fraction, or selecting nodes the "
    "extension's nodeSelector excludes.",
    fix="Give resources.requests and resources.limits both cpu and memory (non-zero), put "
    "nvidia.com/gpu in limits only as an integer, and keep nodeSelector labels within the "
    "extension's nodeSelector.<label> settings.",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-manage-kubernetes-instance-types",
    check=check,
)
