"""Capacity: do the deployments' replicas fit the nodes their instance types land on, and how
many nodes can azureml-fe itself run on?

azureml-fe scales replicas, never nodes (Learn "Azure Machine Learning inference router and
connectivity requirements", autoscaling); the cluster autoscaler adds nodes for pending pods up
to a pool's maxCount, a fixed pool never grows. So, on AKS, where the pools are known:
- the minInstances of every deployment landing on the same pools must fit those pools at their
  largest: otherwise those replicas never start, the deployment never becomes ready and Azure
  times its creation out after 20 minutes (an error);
- the maxInstances of those deployments must fit them too, or replicas stay Pending at peak
  (a warning).
Node sizes are the whole VM (what a node can never exceed), so an error is certain; each message
says what to change on that kind of pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog import aks
from catalog import endpoints as catalog_endpoints
from router import nodefit
from router.inputs import InputError
from stacks.settings.cluster import AksClusterSettings, NodePool
from stacks.settings.errors import Problem
from stacks.settings.instance_types import GPU, InstanceType, selects

if TYPE_CHECKING:
    from stacks.settings.stack import Settings

_DeploymentAt = tuple[int, int]  # (endpoint index, deployment index)


def router_nodes(settings: Settings) -> int:
    """Nodes azureml-fe is sure to have: on AKS the sure nodes of the pools whose taints it
    tolerates and whose labels hold the extension's nodeSelector; on Arc the declared count."""
    cluster = settings.cluster
    if not isinstance(cluster, AksClusterSettings):
        return cluster.node_count
    selector = settings.extension.nodeSelector
    return sum(
        pool.nodes
        for pool in cluster.nodePools
        if aks.admits_untolerating_pods(pool.taints)
        and all(_labels(pool).get(key) == value for key, value in selector.items())
    )


def _labels(pool: NodePool) -> dict[str, str]:
    return {"agentpool": pool.name, "kubernetes.azure.com/agentpool": pool.name, **pool.labels}


def _pools_for(cluster: AksClusterSettings, item: InstanceType) -> list[NodePool]:
    """Pools the type's pods may land on. Without a selector, the pools without a blocking
    taint (a taint keeps pods without its toleration away)."""
    return [
        pool
        for pool in cluster.nodePools
        if selects(item, pool) and (item.nodeSelector or aks.admits_untolerating_pods(pool.taints))
    ]


def _largest(cluster: AksClusterSettings, pools: list[NodePool]) -> list[dict]:
    """The pools at their largest node count, with what one node has, as node fit takes them."""
    out = []
    for pool in pools:
        size = cluster.size_of(pool)
        out.append(
            {
                "name": pool.name,
                "count": pool.maxCount if pool.autoscale else pool.count,
                "allocatable": {
                    "cpu": size.vcpu,
                    "memory": f"{size.memory_gib:g}Gi",
                    "gpu": size.gpus,
                },
            }
        )
    return out


def _requests(item: InstanceType) -> dict[str, object]:
    requests = item.resources.requests
    return {
        "cpu": requests.get("cpu", 0),
        "memory": requests.get("memory", 0),
        "gpu": item.resources.limits.get(GPU, 0),
    }


def _groups(settings: Settings, cluster: AksClusterSettings) -> dict[tuple[str, ...], list]:
    """Deployments by the pools their instance type lands on: (pool names) -> [(at, type, scale)]."""
    types = {item.name: item for item in settings.instanceTypes}
    groups: dict[tuple[str, ...], list] = {}
    for i, endpoint in enumerate(settings.endpoints):
        for j, deployment in enumerate(endpoint.deployments):
            item = types.get(deployment.instanceType)
            if item is None:
                continue  # the default instance type: its resources are Azure ML's
            pools = tuple(pool.name for pool in _pools_for(cluster, item))
            scale, _ = deployment.scale()
            groups.setdefault(pools, []).append(((i, j), item, scale))
    return groups


def _hint(pools: list[NodePool], lower: str) -> str:
    fixed = [p.name for p in pools if not p.autoscale]
    grows = [p.name for p in pools if p.autoscale]
    ways = []
    if grows:
        ways.append(f"raise maxCount of {', '.join(grows)}")
    if fixed:
        ways.append(f"raise count of {', '.join(fixed)} (a fixed-size pool never grows)")
    return "; ".join(ways) + f"; or lower {lower}"


def _judge(
    settings: Settings, key: str
) -> list[tuple[_DeploymentAt, str, list[NodePool], nodefit.Overflow]]:
    """Each group of deployments whose `key` replicas (min or max) overflow their pools."""
    cluster = settings.cluster
    if not isinstance(cluster, AksClusterSettings):
        return []
    found = []
    for names, members in _groups(settings, cluster).items():
        if not names:
            continue  # the instance type selects no pool: its own rule says so
        pools = [pool for pool in cluster.nodePools if pool.name in names]
        demands = [(getattr(scale, key), _requests(item)) for _, item, scale in members]
        try:
            over = nodefit.overflow(demands, _largest(cluster, pools))
        except InputError:
            continue  # quantities node fit cannot model (e.g. extended resources)
        if over is not None:
            named = [
                f"{settings.endpoints[i].deployments[j].name} {getattr(scale, key)}"
                for (i, j), _, scale in members
            ]
            who = ", ".join(named[:_NAMED])
            if len(named) > _NAMED:
                who += f" and {len(named) - _NAMED} more deployments"
            found.append((members[-1][0], who, pools, over))
    return found


# Deployments named in a capacity message; the rest are counted.
_NAMED = 6


def _shortfall(over: nodefit.Overflow, pools: list[NodePool]) -> str:
    where = ", ".join(p.name for p in pools)
    if over.resource == "replicas":
        return f"{over.needed} replicas; {where} hold {over.available} at most"
    unit = {"cpu": "millicores of CPU", "memory": "bytes of memory", "gpu": "GPUs"}[over.resource]
    return f"{over.needed:,} {unit}; {where} have {over.available:,} at most"


def capacity_problems(settings: Settings) -> list[Problem]:
    """minInstances that can never all start: the deployments would never become ready."""
    minutes = catalog_endpoints.DEPLOYMENT_CREATE_TIMEOUT_MINUTES
    return [
        (
            ("endpoints", i, "deployments", j, "scaleSettings", "minInstances"),
            f"minInstances ({who}) need {_shortfall(over, pools)}: those replicas never start, "
            f"so the deployment never becomes ready and Azure times it out after {minutes} "
            f"minutes (azureml-fe never adds nodes): {_hint(pools, 'minInstances')}",
        )
        for (i, j), who, pools, over in _judge(settings, "min_instances")
    ]


def capacity_warnings(settings: Settings) -> list[Problem]:
    """maxInstances that cannot all run at once: replicas stay Pending at peak."""
    return [
        (
            ("endpoints", i, "deployments", j, "scaleSettings", "maxInstances"),
            f"maxInstances ({who}) need {_shortfall(over, pools)}: at peak the rest stay Pending "
            f"(azureml-fe never adds nodes): {_hint(pools, 'maxInstances')}",
        )
        for (i, j), who, pools, over in _judge(settings, "max_instances")
    ]
