"""Node fit: do a deployment's replicas fit on the node pools as they are? azureml-fe scales
replicas within the cluster and never adds nodes (Learn "Azure Machine Learning inference
router and connectivity requirements", autoscaling); the cluster autoscaler or a manual scale
does. Quantities are Kubernetes quantities, read by catalog.quantities. Pure Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from catalog import quantities
from catalog.instance_types import GPU_RESOURCE
from router.inputs import InputError, count, show

__all__ = ["NodeFit", "Overflow", "PoolFit", "Resources", "node_fit", "overflow", "resources"]


@dataclass(frozen=True)
class Resources:
    """What one replica requests, or what one node has free for it."""

    millicores: Decimal
    memory_bytes: Decimal
    gpus: int

    def replicas_in(self, free: Resources) -> int:
        """How many replicas of this request a node with `free` holds (all replicas alike)."""
        pairs = (
            (free.millicores, self.millicores),
            (free.memory_bytes, self.memory_bytes),
            (Decimal(free.gpus), Decimal(self.gpus)),
        )
        return min(int(have // need) for have, need in pairs if need)


def resources(field: str, given: object) -> Resources:
    """cpu, memory and optionally gpu (or `nvidia.com/gpu`, as instance types spell it)."""
    if not isinstance(given, Mapping):
        raise InputError(
            field, f"expected a mapping with cpu, memory and optionally gpu (got {show(given)})"
        )
    unknown = set(given) - {"cpu", "memory", "gpu", GPU_RESOURCE}
    if unknown:
        raise InputError(
            f"{field}.{sorted(unknown)[0]}", "unknown resource; use cpu, memory or gpu"
        )
    for key in ("cpu", "memory"):
        if key not in given:
            raise InputError(f"{field}.{key}", "missing; give it like the instance type does")
    cpu = quantities.cpu_millicores(given["cpu"])
    if cpu is None or cpu < 0:
        raise InputError(
            f"{field}.cpu", f"must be CPU cores like 2, .5 or 500m (got {show(given['cpu'])})"
        )
    memory = quantities.memory_bytes(given["memory"])
    if memory is None or memory < 0:
        raise InputError(
            f"{field}.memory",
            f"must be memory like 1500Mi, 2Gi or a byte count (got {show(given['memory'])})",
        )
    gpu = given.get("gpu", given.get(GPU_RESOURCE, 0))
    gpus = quantities.whole_count(gpu)
    if gpus is None:
        raise InputError(f"{field}.gpu", f"must be a whole number of GPUs >= 0 (got {show(gpu)})")
    return Resources(cpu, memory, gpus)


@dataclass(frozen=True)
class PoolFit:
    name: str
    nodes: int
    per_node: int  # replicas one node of this pool can hold
    replicas: int  # replicas placed on this pool


@dataclass(frozen=True)
class NodeFit:
    requested: int
    schedulable: int
    pending: int  # replicas that would stay Pending: azureml-fe never adds nodes
    pools: tuple[PoolFit, ...]


def node_fit(replicas: int, requests: object, pools: Sequence[Mapping[str, object]]) -> NodeFit:
    """Do `replicas` replicas of `requests` fit on `pools` as they are?

    Each pool is {name, count, allocatable: {cpu, memory, gpu}}, where allocatable is what one
    node has free for this deployment. All replicas are alike, so a node holds the smallest of
    allocatable / request over the requested resources, and pools fill in the order given. Pass
    only the pools the instance type may use (its nodeSelector and tolerations).
    """
    wanted = count("replicas", replicas)
    need = resources("requests", requests)
    if not (need.millicores or need.memory_bytes or need.gpus):
        raise InputError(
            "requests", "request some cpu, memory or gpu; an empty request fits anywhere"
        )
    if not isinstance(pools, Sequence) or isinstance(pools, str) or not pools:
        raise InputError("pools", "give at least one node pool with name, count and allocatable")
    left, fits = wanted, []
    for i, pool in enumerate(pools):
        if not isinstance(pool, Mapping) or not {"name", "count", "allocatable"} <= set(pool):
            raise InputError(f"pools[{i}]", "expected a mapping with name, count and allocatable")
        nodes = pool["count"]
        if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 0:
            raise InputError(
                f"pools[{i}].count", f"must be a whole number of nodes >= 0 (got {show(nodes)})"
            )
        per_node = need.replicas_in(resources(f"pools[{i}].allocatable", pool["allocatable"]))
        placed = min(left, per_node * nodes)
        left -= placed
        fits.append(
            PoolFit(name=str(pool["name"]), nodes=nodes, per_node=per_node, replicas=placed)
        )
    return NodeFit(requested=wanted, schedulable=wanted - left, pending=left, pools=tuple(fits))


@dataclass(frozen=True)
class Overflow:
    """What several deployments' replicas need beyond what the pools can hold."""

    resource: str  # "replicas" (one shape: counted exactly per node), or cpu, memory, gpu
    needed: Decimal
    available: Decimal


def _pools(pools: Sequence[Mapping[str, object]]) -> list[tuple[int, Resources]]:
    parsed = []
    for i, pool in enumerate(pools):
        nodes = pool.get("count")
        if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 0:
            raise InputError(
                f"pools[{i}].count", f"must be a whole number of nodes >= 0 (got {show(nodes)})"
            )
        parsed.append((nodes, resources(f"pools[{i}].allocatable", pool.get("allocatable"))))
    return parsed


def overflow(
    demands: Sequence[tuple[int, object]], pools: Sequence[Mapping[str, object]]
) -> Overflow | None:
    """Can these (replicas, requests) all run on `pools` at once? None when they can.

    Replicas of one shape are counted exactly, node by node (node_fit). Replicas of several
    shapes are judged by the pools' totals per resource, a bound no packing can beat: an
    overflow found is certain, and a fit is the best case."""
    shapes: dict[Resources, int] = {}
    for i, (replicas, requests) in enumerate(demands):
        need = resources(f"demands[{i}]", requests)
        shapes[need] = shapes.get(need, 0) + count(f"demands[{i}].replicas", replicas, 0)
    nodes = _pools(pools)
    if len(shapes) == 1:
        ((need, total),) = shapes.items()
        room = sum(n * need.replicas_in(free) for n, free in nodes)
        return None if total <= room else Overflow("replicas", Decimal(total), Decimal(room))
    for resource, attribute in (("cpu", "millicores"), ("memory", "memory_bytes"), ("gpu", "gpus")):
        needed = sum(
            (Decimal(getattr(need, attribute)) * n for need, n in shapes.items()), Decimal(0)
        )
        available = sum((Decimal(getattr(free, attribute)) * n for n, free in nodes), Decimal(0))
        if needed > available:
            return Overflow(resource, needed, available)
    return None
