"""Reading resources the way the engine hands them to policies, and walking the resource graph.

Properties are camelCase, numbers arrive as floats, secrets arrive unwrapped and values unknown at
preview raise `UnknownValueError` when read (the SDK then reports the policy as not evaluated).
So the graph comes first: a policy follows property dependencies, then other dependencies and
parents, and reads a name or an id only when the graph has no answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from catalog import arm, tokens
from catalog.extension import EXTENSION_TYPE


def get(value: Any, *path: str, default: Any = None) -> Any:
    """props['a']['b'] or default when any step is missing (a known None counts as missing)."""
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
        if value is None:
            return default
    return value


def known_items(value: Any) -> tuple[list[Any], int]:
    """The known elements of a list and how many are unknown at preview (a firewall's public IP
    in authorized ranges, say): read one by one, so one unknown does not hide the rest."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return [], 0
    known, unknown = [], 0
    for index in range(len(value)):
        try:
            known.append(value[index])
        except UnknownValueError:
            unknown += 1
    return known, unknown


def keys(value: Any) -> set[str]:
    """The keys a mapping has, without reading their values (which may be unknown or secret)."""
    return set(iter(value)) if isinstance(value, Mapping) else set()


def properties_key(resource: PolicyResource, older: str) -> str:
    """Where an ARM resource's `properties` live: `properties` (azure-native v2 and later) or the
    older SDKs' flattened name (e.g. onlineDeploymentProperties)."""
    return older if older in keys(resource.props) else "properties"


def same(a: object, b: object) -> bool:
    """ARM names and ids compare without case."""
    return str(a).lower() == str(b).lower()


def kind(resource: PolicyResource) -> str:
    """The type's last segment: ManagedCluster, HorizontalPodAutoscaler ..."""
    return resource.resource_type.rsplit(":", 1)[-1]


class Graph:
    """The stack's resources with their edges: dependencies, property dependencies, parents."""

    def __init__(self, resources: Iterable[PolicyResource]):
        self.resources = list(resources)
        self._children: dict[int, list[PolicyResource]] = {}
        for r in self.resources:
            if r.parent is not None:
                self._children.setdefault(id(r.parent), []).append(r)

    def of_type(self, *types: str) -> list[PolicyResource]:
        wanted = set(types)
        return [r for r in self.resources if tokens.base_type(r.resource_type) in wanted]

    def _with_descendants(self, resource: PolicyResource) -> list[PolicyResource]:
        """A component stands for everything under it (depending on one depends on its children)."""
        out, todo = [], [resource]
        while todo:
            current = todo.pop()
            out.append(current)
            todo.extend(self._children.get(id(current), []))
        return out

    def linked(
        self, resource: PolicyResource, *types: str, via: str | None = None
    ) -> list[PolicyResource]:
        """Resources of `types` the resource points at. With `via`, only through that property's
        dependencies when it has any; otherwise through every dependency."""
        wanted = set(types)
        deps: list[PolicyResource] = []
        if via is not None and resource.property_dependencies.get(via):
            deps = list(resource.property_dependencies[via])
        else:
            deps = list(resource.dependencies)
            for more in resource.property_dependencies.values():
                deps.extend(more)
        out: list[PolicyResource] = []
        for dep in deps:
            for r in self._with_descendants(dep):
                if tokens.base_type(r.resource_type) in wanted and r not in out:
                    out.append(r)
        return out

    # Azure ML's places: extensions, clusters, computes.

    def azureml_extensions(self) -> list[PolicyResource]:
        return [
            e
            for e in self.of_type(tokens.EXTENSION)
            if same(get(e.props, "extensionType", default=""), EXTENSION_TYPE)
        ]

    def managed_cluster(
        self, resource: PolicyResource, via: str, group_key: str, name_key: str
    ) -> PolicyResource | None:
        """The AKS cluster a resource names by (resource group, name) properties: through the
        graph first; by comparing names only when no edge leads to a cluster."""
        found = self.linked(resource, tokens.MANAGED_CLUSTER, via=via)
        if found:
            return found[0]
        clusters = self.of_type(tokens.MANAGED_CLUSTER)
        if not clusters:
            return None
        # Names before resource groups: a group is often unknown at preview and is read only
        # when the names agree.
        name = get(resource.props, name_key)
        for cluster in clusters:
            if same(get(cluster.props, "resourceName"), name) and same(
                get(cluster.props, "resourceGroupName"), get(resource.props, group_key)
            ):
                return cluster
        return None

    def extension_cluster(self, extension: PolicyResource) -> PolicyResource | None:
        """The AKS cluster of an extension (None on Arc or outside the program)."""
        if not same(get(extension.props, "clusterResourceName", default=""), "managedClusters"):
            return None
        return self.managed_cluster(extension, "clusterName", "resourceGroupName", "clusterName")

    def compute_cluster(self, compute: PolicyResource) -> PolicyResource | None:
        """The AKS cluster a compute attaches: its resourceId's edge, else the id's names."""
        found = self.linked(compute, tokens.MANAGED_CLUSTER, via="properties")
        if found:
            return found[0]
        clusters = self.of_type(tokens.MANAGED_CLUSTER)
        if not clusters:
            return None
        cluster_id = arm.parse(get(compute.props, "properties", "resourceId"), arm.MANAGED_CLUSTER)
        if cluster_id is None:
            return None
        for cluster in clusters:
            if same(get(cluster.props, "resourceName"), cluster_id.name) and same(
                get(cluster.props, "resourceGroupName"), cluster_id.resource_group
            ):
                return cluster
        return None

    def kubernetes_computes(self) -> list[PolicyResource]:
        return [
            c
            for c in self.of_type(tokens.COMPUTE)
            if same(get(c.props, "properties", "computeType", default=""), "Kubernetes")
        ]

    def azureml_clusters(self) -> list[PolicyResource]:
        """AKS clusters that run Azure ML: an Azure ML extension or a Kubernetes compute on them."""
        out: list[PolicyResource] = []
        for extension in self.azureml_extensions():
            cluster = self.extension_cluster(extension)
            if cluster is not None and cluster not in out:
                out.append(cluster)
        for compute in self.kubernetes_computes():
            cluster = self.compute_cluster(compute)
            if cluster is not None and cluster not in out:
                out.append(cluster)
        return out

    def cluster_extensions(self, cluster: PolicyResource) -> list[PolicyResource]:
        return [e for e in self.azureml_extensions() if self.extension_cluster(e) is cluster]

    def agent_pools(self, cluster: PolicyResource) -> list[Any]:
        """Every pool of the cluster: its agentPoolProfiles and the separate AgentPool resources."""
        pools = list(get(cluster.props, "agentPoolProfiles", default=[]))
        for pool in self.of_type(tokens.AGENT_POOL):
            if (
                self.managed_cluster(pool, "resourceName", "resourceGroupName", "resourceName")
                is cluster
            ):
                pools.append(pool.props)
        return pools


def installs_device_plugin(graph: Graph, markers: list[str]) -> bool:
    """The program installs an NVIDIA device plugin itself (a DaemonSet, a Helm release, an
    operator), recognised by a name fragment in `markers`."""
    for r in graph.resources:
        if not r.resource_type.startswith("kubernetes:"):
            continue
        names = (
            peek(r.props, "metadata", "name"),
            peek(r.props, "chart"),
            peek(r.props, "name"),
            r.name,
        )
        if any(isinstance(n, str) and any(m in n.lower() for m in markers) for n in names):
            return True
    return False


def peek(value: Any, *path: str) -> Any:
    """A value for a message only: None when it is missing or unknown at preview."""
    try:
        return get(value, *path)
    except UnknownValueError:
        return None


def cluster_label(cluster: PolicyResource) -> str:
    """How a message names a cluster: its ARM name when known, else its logical name."""
    return f"'{peek(cluster.props, 'resourceName') or cluster.name}'"
