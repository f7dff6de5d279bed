"""kubernetes-online-limits: the documented ceilings of Kubernetes online endpoints: per cluster
(60 endpoints, 100 deployments, no exception) and per endpoint (20 deployments)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from catalog import quotas, tokens
from policy.resources import Graph, get, peek, properties_key
from policy.rule import Context, Finding, Rule

NAME = "kubernetes-online-limits"
_OLDER_ENDPOINT = "onlineEndpointProperties"


def _cluster_of(graph: Graph, endpoint: PolicyResource) -> object | None:
    """The cluster an endpoint runs on, through its compute attach: the cluster's resource when
    the program has it, else the attach's cluster id; None when it is not on a Kubernetes
    compute of the program."""
    where = properties_key(endpoint, _OLDER_ENDPOINT)
    for compute in graph.linked(endpoint, tokens.COMPUTE, via=where):
        if compute not in graph.kubernetes_computes():
            continue
        cluster = graph.compute_cluster(compute)
        if cluster is not None:
            return cluster.urn
        return str(get(compute.props, "properties", "resourceId", default=compute.urn)).lower()
    return None


def _label(resource: PolicyResource, key: str) -> str:
    return str(peek(resource.props, key) or resource.name)


def check(graph: Graph, context: Context) -> Iterator[Finding]:
    by_cluster: dict[object, list[PolicyResource]] = {}
    for endpoint in graph.of_type(tokens.ONLINE_ENDPOINT):
        cluster = _cluster_of(graph, endpoint)
        if cluster is not None:
            by_cluster.setdefault(cluster, []).append(endpoint)
    for endpoints in by_cluster.values():
        yield from _endpoint_limit(endpoints)
        deployments: list[tuple[PolicyResource, PolicyResource]] = []
        for endpoint in endpoints:
            mine = [
                d
                for d in graph.of_type(tokens.ONLINE_DEPLOYMENT)
                if endpoint in graph.linked(d, tokens.ONLINE_ENDPOINT, via="endpointName")
            ]
            if len(mine) > quotas.DEPLOYMENTS_PER_ENDPOINT:
                yield Finding(
                    endpoint,
                    f"endpoint '{_label(endpoint, 'endpointName')}' has {len(mine)} "
                    f"deployments: an online endpoint takes {quotas.DEPLOYMENTS_PER_ENDPOINT} "
                    "(raise it with a quota request, or split the models over endpoints).",
                )
            deployments += [(endpoint, d) for d in mine]
        if len(deployments) > quotas.DEPLOYMENTS_PER_CLUSTER:
            _, first_over = deployments[quotas.DEPLOYMENTS_PER_CLUSTER]
            yield Finding(
                first_over,
                f"the cluster runs {len(deployments)} Kubernetes online deployments: one cluster "
                f"takes {quotas.DEPLOYMENTS_PER_CLUSTER}, with no exception; spread them over "
                "clusters.",
            )


def _endpoint_limit(endpoints: list[PolicyResource]) -> Iterator[Finding]:
    if len(endpoints) <= quotas.ENDPOINTS_PER_CLUSTER:
        return
    over = endpoints[quotas.ENDPOINTS_PER_CLUSTER]
    yield Finding(
        over,
        f"the cluster has {len(endpoints)} Kubernetes online endpoints (this one is number "
        f"{quotas.ENDPOINTS_PER_CLUSTER + 1}): one cluster takes {quotas.ENDPOINTS_PER_CLUSTER}, "
        "with no exception; spread them over clusters.",
    )


RULE = Rule(
    name=NAME,
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    what="A cluster carries at most 60 Kubernetes online endpoints and 100 deployments; an "
    "endpoint at most 20 deployments.",
    why="Azure ML refuses endpoints and deployments beyond these limits (per Kubernetes cluster "
    "they allow no exception): the deploy fails half-way, after the earlier ones exist.",
    fix="Spread endpoints and deployments over clusters (or, for the per-endpoint limit, request "
    "a higher quota).",
    url="https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas",
    check=check,
)
