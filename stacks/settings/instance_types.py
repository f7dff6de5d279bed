"""`azureml-k8s:instanceTypes`: where and how big the stack's jobs and models run.

Each becomes an InstanceType custom resource in the cluster. The spec rules are the catalog's
(catalog.instance_types), shared with the policy pack; the rules that need the rest of the stack
(the extension's nodeSelector, the node pools, the NVIDIA plugin, the computes) are here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from catalog import instance_types as catalog_instance_types
from catalog import quantities
from stacks.settings.base import Model, dns_label
from stacks.settings.cluster import AksClusterSettings, NodePool
from stacks.settings.errors import Problem, Problems

if TYPE_CHECKING:
    from stacks.settings.stack import Settings

Quantity = str | int | float
GPU = catalog_instance_types.GPU_RESOURCE
# AKS labels every node with its pool's name, so an instance type may select a pool by it.
_AKS_POOL_LABELS = ("agentpool", "kubernetes.azure.com/agentpool")


class Resources(Model):
    requests: dict[str, Quantity] = Field(
        {}, description="What each pod is guaranteed: cpu and memory (no GPU here)."
    )
    limits: dict[str, Quantity] = Field(
        {}, description="The most each pod may use: cpu, memory and nvidia.com/gpu."
    )


class InstanceType(Model):
    """One InstanceType custom resource (amlarc.azureml.com/v1alpha1)."""

    name: str = Field(
        description="Its name; 'defaultinstancetype' replaces the default one.",
        examples=["gpu-a100"],
    )
    nodeSelector: dict[str, str] = Field(
        {}, description="Node labels its pods are pinned to.", examples=[{"accelerator": "a100"}]
    )
    resources: Resources = Field(description="Requests and limits of each pod.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return dns_label(value, "instance type name")

    @model_validator(mode="after")
    def _spec(self) -> InstanceType:
        problems = catalog_instance_types.spec_problems(self.spec())
        if problems:
            raise Problems([(_spec_path(path), message) for path, message in problems])
        return self

    def spec(self) -> dict[str, Any]:
        """The custom resource's spec, as Kubernetes takes it: quantities in the canonical form
        Kubernetes writes back, so ".5" and "500m" are one plan (whole numbers stay numbers)."""
        resources = {
            "requests": _canonical(self.resources.requests),
            "limits": _canonical(self.resources.limits),
        }
        spec: dict[str, Any] = {"resources": resources}
        if self.nodeSelector:
            spec["nodeSelector"] = dict(self.nodeSelector)
        return spec

    @property
    def gpus(self) -> bool:
        return GPU in self.resources.limits


def _canonical(given: dict[str, Quantity]) -> dict[str, Quantity]:
    return {
        name: value if isinstance(value, int) else quantities.canonical(value) or value
        for name, value in given.items()
    }


def _spec_path(path: str) -> tuple[str, ...]:
    """'resources.limits.nvidia.com/gpu' -> ('resources', 'limits', 'nvidia.com/gpu')."""
    if path.startswith("resources."):
        return tuple(path.split(".", 2))
    if path.startswith("nodeSelector."):
        return tuple(path.split(".", 1))
    return (path,) if path else ()


def known_names(settings: Settings) -> set[str]:
    """Instance types a deployment or compute may name: the stack's, and the default one."""
    return {item.name for item in settings.instanceTypes} | {catalog_instance_types.DEFAULT_NAME}


def instance_type_problems(settings: Settings) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    extension = settings.extension
    for i, item in enumerate(settings.instanceTypes):
        at = ("instanceTypes", i)
        if item.name in seen:
            problems.append(((*at, "name"), f"instance type names must be unique: '{item.name}'"))
        seen.add(item.name)
        problems += [
            ((*at, *_spec_path(path)), message)
            for path, message in catalog_instance_types.node_selector_problems(
                item.nodeSelector, extension.nodeSelector
            )
        ]
        if item.gpus and not extension.installNvidiaDevicePlugin:
            problems.append(
                (
                    (*at, "resources", "limits", GPU),
                    "a GPU instance type needs the NVIDIA device plugin to schedule: set "
                    "extension.installNvidiaDevicePlugin: true",
                )
            )
        if isinstance(settings.cluster, AksClusterSettings) and item.nodeSelector:
            problems += _pool_match(settings.cluster, item, at)
    known = known_names(settings)
    for i, compute in enumerate(settings.computes):
        for j, name in enumerate(compute.instanceTypes):
            if name not in known:
                problems.append(
                    (
                        ("computes", i, "instanceTypes", j),
                        f"unknown instance type '{name}': declare it under instanceTypes "
                        f"(known: {', '.join(sorted(known))})",
                    )
                )
    return problems


def selects(item: InstanceType, pool: NodePool) -> bool:
    """Does the type's nodeSelector select this AKS pool's nodes?"""
    labels = {**{key: pool.name for key in _AKS_POOL_LABELS}, **pool.labels}
    return all(labels.get(key) == value for key, value in item.nodeSelector.items())


def _pool_match(cluster: AksClusterSettings, item: InstanceType, at: tuple) -> list[Problem]:
    """On AKS the labels are known: some node pool must carry every label the type selects."""
    if any(selects(item, pool) for pool in cluster.nodePools):
        return []
    wanted = ", ".join(f"{key}={value}" for key, value in sorted(item.nodeSelector.items()))
    return [
        (
            (*at, "nodeSelector"),
            f"no node pool has the labels {wanted}: add them to a pool's labels "
            f"({', '.join(pool.name for pool in cluster.nodePools)}) or change the selector",
        )
    ]
