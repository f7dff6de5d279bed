"""Azure ML instance types: the InstanceType custom resource and the rules its spec must follow.

An instance type names a node selection and the resources each pod of a job or deployment gets.
It lives in the cluster as a custom resource (or inline in a Kubernetes compute attach, under
`properties.instanceTypes`); the same rules apply to both. Pure functions on plain mappings, so
stack settings and the policy pack check them with one copy.

Quantities are Kubernetes quantities ("500m", ".5", "1.5Gi", "64G"), read by catalog.quantities.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog import documents
from catalog.quantities import cpu_millicores, memory_bytes, whole_count

API_VERSION = "amlarc.azureml.com/v1alpha1"
KIND = "InstanceType"
# An instance type with this name replaces the default (which Azure ML creates otherwise).
DEFAULT_NAME = "defaultinstancetype"
GPU_RESOURCE = "nvidia.com/gpu"
REQUIRED_RESOURCES = ("cpu", "memory")

Problem = tuple[str, str]  # (path inside the spec, message)


def spec_problems(spec: object) -> list[Problem]:
    """Why an InstanceType spec (nodeSelector, resources.requests|limits) is not valid.

    CPU and memory requests and limits are required and non-zero; `nvidia.com/gpu` is a whole
    number and goes in limits only. Paths are relative to the spec, e.g. resources.limits.cpu.
    """
    if not isinstance(spec, Mapping):
        return [("", "an instance type needs a spec with resources.requests and .limits")]
    problems: list[Problem] = []
    resources = spec.get("resources")
    if not isinstance(resources, Mapping):
        resources = {}
    for part in ("requests", "limits"):
        given = resources.get(part)
        given = given if isinstance(given, Mapping) else {}
        for name, parse, example in (
            ("cpu", cpu_millicores, "'500m' or '2'"),
            ("memory", memory_bytes, "'4Gi'"),
        ):
            path = f"resources.{part}.{name}"
            if name not in given or given[name] in (None, ""):
                problems.append((path, f"required: give it like {example}"))
                continue
            amount = parse(given[name])
            if amount is None:
                problems.append((path, f"not a {name} quantity (use one like {example})"))
            elif amount <= 0:
                problems.append((path, "must be greater than zero"))
    requests = resources.get("requests")
    if isinstance(requests, Mapping) and GPU_RESOURCE in requests:
        problems.append(
            (
                f"resources.requests.{GPU_RESOURCE}",
                "GPUs go in limits only: move it to resources.limits",
            )
        )
    limits = resources.get("limits")
    if (
        isinstance(limits, Mapping)
        and GPU_RESOURCE in limits
        and whole_count(limits[GPU_RESOURCE]) is None
    ):
        problems.append(
            (f"resources.limits.{GPU_RESOURCE}", "must be a whole number of GPUs, like 1")
        )
    selector = spec.get("nodeSelector")
    if selector is not None and not isinstance(selector, Mapping):
        problems.append(("nodeSelector", "must be a mapping of node label to value"))
    return problems


def node_selector_problems(
    selector: Mapping[str, object] | None, extension_selector: Mapping[str, object] | None
) -> list[Problem]:
    """An instance type's nodeSelector must be a subset of the extension's nodeSelector (when the
    extension pins its workloads): a label the extension does not select, or selects with
    another value, leaves the pods with no node to run on."""
    if not extension_selector:
        return []
    problems: list[Problem] = []
    for label, value in sorted((selector or {}).items()):
        if label not in extension_selector:
            problems.append(
                (
                    f"nodeSelector.{label}",
                    "the extension's nodeSelector does not select this label: add "
                    f"nodeSelector.{label} to the extension or drop it here",
                )
            )
        elif str(extension_selector[label]) != str(value):
            problems.append(
                (
                    f"nodeSelector.{label}",
                    f"the extension selects {label}={extension_selector[label]}, "
                    f"not {label}={value}",
                )
            )
    return problems


def extension_node_selector(configuration_settings: Mapping[str, object]) -> dict[str, object]:
    """The labels an extension pins to, from its `nodeSelector.<label>=<value>` settings."""
    prefix = "nodeSelector."
    return {
        key[len(prefix) :]: configuration_settings[key]
        for key in configuration_settings
        if key.startswith(prefix)
    }


SOURCES: dict[str, str] = {
    "API_VERSION": "Learn 'Create and manage instance types' (how-to-manage-kubernetes-instance-"
    f"types), the InstanceType manifest; {documents.KUBERNETES_COMPUTE}",
    "KIND": "Learn 'Create and manage instance types', the InstanceType manifest",
    "DEFAULT_NAME": "Learn 'Create and manage instance types': an instance type named "
    "defaultinstancetype overrides the default one",
    "GPU_RESOURCE": "Learn 'Create and manage instance types': nvidia.com/gpu in limits",
    "REQUIRED_RESOURCES": "Learn 'Create and manage instance types': CPU and memory requests "
    "and limits are required and must be non-zero",
    "spec_problems": "Learn 'Create and manage instance types' (required CPU/memory, GPU an "
    "integer in limits only)",
    "node_selector_problems": "Learn 'Create and manage instance types': the nodeSelector must "
    "be a subset of the extension's nodeSelector",
    "extension_node_selector": f"{documents.EXTENSION}, settings table: "
    "nodeSelector.<label>=<value>",
}
