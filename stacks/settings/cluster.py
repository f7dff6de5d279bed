"""`azureml-k8s:cluster`: a new AKS cluster (kind: aks) or an existing Arc-connected one (arc)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from catalog import aks, arm, naming, vm_sizes
from stacks.settings.base import Model, parsed_id, resource_id
from stacks.settings.network import ApiServer, NetworkSettings
from stacks.settings.upgrades import PoolUpgrade, Upgrades


class NodePool(Model):
    """An AKS node pool: fixed size (count) or under the cluster autoscaler (minCount..maxCount)."""

    name: str = Field(description=f"Pool name: {aks.NODE_POOL_NAME_RULE}.", examples=["system"])
    vmSize: str = Field(
        description="Azure VM size; sizes missing from the catalog are declared under "
        "cluster.vmSizes.",
        examples=["Standard_D4s_v5"],
    )
    mode: Literal["System", "User"] = Field(
        "User", description="System pools run cluster services; AKS needs at least one."
    )
    count: int | None = Field(None, description="Fixed node count (no autoscaler).")
    minCount: int | None = Field(
        None, description="Autoscaler minimum; the nodes the pool is sure to have."
    )
    maxCount: int | None = Field(None, description="Autoscaler maximum.")
    labels: dict[str, str] = Field(
        {}, description="Node labels (instance types select nodes with them)."
    )
    taints: list[str] = Field(
        [], description="Node taints, key=value:Effect.", examples=[["sku=gpu:NoSchedule"]]
    )
    availabilityZones: list[Literal["1", "2", "3"]] = Field(
        [], description="Availability zones to spread the nodes over."
    )
    maxPods: int | None = Field(
        None, description=f"Pods per node, {aks.MAX_PODS_MIN} to {aks.MAX_PODS_MAX}."
    )
    osDiskSizeGB: int | None = Field(None, description="OS disk size in GB.")
    upgrade: PoolUpgrade = Field(
        PoolUpgrade(), description="How the pool is upgraded (surge, drain, in place)."
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not aks.NODE_POOL_NAME.fullmatch(value):
            raise ValueError(
                f"'{value}' is not a valid AKS node pool name: {aks.NODE_POOL_NAME_RULE}"
            )
        return value

    @field_validator("taints")
    @classmethod
    def _taints(cls, value: list[str]) -> list[str]:
        for taint in value:
            if not aks.TAINT.fullmatch(taint):
                raise ValueError(
                    f"'{taint}' is not a taint: write key=value:Effect with Effect "
                    "NoSchedule, PreferNoSchedule or NoExecute"
                )
        return value

    @field_validator("maxPods")
    @classmethod
    def _max_pods(cls, value: int | None) -> int | None:
        if value is not None and not aks.MAX_PODS_MIN <= value <= aks.MAX_PODS_MAX:
            raise ValueError(f"must be between {aks.MAX_PODS_MIN} and {aks.MAX_PODS_MAX}")
        return value

    @model_validator(mode="after")
    def _counts(self) -> NodePool:
        low = 1 if self.mode == "System" else 0
        system_note = "; a System pool keeps at least one node" if low else ""
        autoscale = self.minCount is not None or self.maxCount is not None
        if autoscale and self.count is not None:
            raise ValueError(
                "set either count (fixed size) or minCount and maxCount (cluster "
                "autoscaler), not both"
            )
        if autoscale:
            if self.minCount is None or self.maxCount is None:
                raise ValueError("the cluster autoscaler needs both minCount and maxCount")
            if not low <= self.minCount <= self.maxCount <= aks.MAX_NODES_PER_POOL:
                raise ValueError(
                    f"need {low} <= minCount <= maxCount <= {aks.MAX_NODES_PER_POOL} "
                    f"(got {self.minCount}..{self.maxCount}){system_note}"
                )
        elif self.count is None:
            raise ValueError("set count (fixed size) or minCount and maxCount (cluster autoscaler)")
        elif not low <= self.count <= aks.MAX_NODES_PER_POOL:
            raise ValueError(
                f"count must be between {low} and {aks.MAX_NODES_PER_POOL}{system_note}"
            )
        return self

    @property
    def autoscale(self) -> bool:
        return self.minCount is not None

    @property
    def nodes(self) -> int:
        """Nodes the pool is sure to have."""
        return aks.sure_nodes(self.count, self.minCount, self.autoscale)


class VmSizeDeclaration(Model):
    """Figures of a VM size the catalog does not know."""

    vcpu: int = Field(gt=0, description="vCPUs per node.")
    memoryGiB: float = Field(gt=0, description="Memory per node in GiB.")
    gpus: int = Field(default=0, ge=0, description="GPUs per node.")


class Identity(Model):
    """The cluster's managed identity (Azure ML does not support a service principal)."""

    type: Literal["SystemAssigned", "UserAssigned"] = Field(
        "SystemAssigned", description="SystemAssigned, or UserAssigned with its resource id."
    )
    userAssignedIdentityId: str | None = Field(
        None,
        description="Resource id of the user-assigned identity.",
        examples=[arm.USER_ASSIGNED_IDENTITY.example],
    )

    @model_validator(mode="after")
    def _user_assigned(self) -> Identity:
        if self.type == "UserAssigned":
            if not self.userAssignedIdentityId:
                raise ValueError(
                    "UserAssigned needs userAssignedIdentityId (the identity's resource id)"
                )
            resource_id(
                self.userAssignedIdentityId, arm.USER_ASSIGNED_IDENTITY, "userAssignedIdentityId"
            )
        elif self.userAssignedIdentityId:
            raise ValueError("userAssignedIdentityId is only used with type: UserAssigned")
        return self


class Monitoring(Model):
    """Container Insights and Defender for Containers (recommended for Azure ML by Learn "Deploy a
    model to an Azure Kubernetes Service cluster with v1")."""

    containerInsights: bool | None = Field(None, description="Unset: on in prod, off elsewhere.")
    defender: bool | None = Field(None, description="Unset: on in prod, off elsewhere.")
    logAnalyticsWorkspaceId: str | None = Field(
        None,
        description="An existing Log Analytics workspace; unset: one is created when needed.",
        examples=[arm.LOG_ANALYTICS_WORKSPACE.example],
    )

    @field_validator("logAnalyticsWorkspaceId")
    @classmethod
    def _workspace(cls, value: str | None) -> str | None:
        if value is not None:
            resource_id(value, arm.LOG_ANALYTICS_WORKSPACE, "logAnalyticsWorkspaceId")
        return value


class AksClusterSettings(Model):
    """A new AKS cluster, made the way Azure ML needs it."""

    kind: Literal["aks"] = Field(description="aks: create an AKS cluster.")
    name: str = Field(description=f"Cluster name: {aks.CLUSTER_NAME_RULE}.", examples=["mlprod"])
    resourceGroup: str | None = Field(
        None, description="Resource group to create it in; unset: rg-<name>."
    )
    kubernetesVersion: str | None = Field(None, description="Unset: the AKS default version.")
    nodePools: list[NodePool] = Field(description="At least one System pool.")
    identity: Identity = Field(Identity(), description="The cluster's managed identity.")
    network: NetworkSettings = Field(NetworkSettings(), description="Cluster networking.")
    apiServer: ApiServer = Field(ApiServer(), description="API server access.")
    disableLocalAccounts: bool = Field(
        True,
        description="Entra ID only (no static kubeconfig); Azure ML then reaches the cluster "
        "through an AKS Trusted Access binding per workspace.",
    )
    monitoring: Monitoring = Field(Monitoring(), description="Container Insights and Defender.")
    tier: Literal["Free", "Standard", "Premium"] | None = Field(
        None,
        description="Pricing tier: Standard and Premium carry the API server's uptime SLA, "
        "Premium long-term support (the AKSLongTermSupport plan). Unset: Standard in prod, "
        "Free elsewhere.",
    )
    upgrades: Upgrades = Field(
        Upgrades(), description="Auto-upgrade channels and their maintenance windows."
    )
    vmSizes: dict[str, VmSizeDeclaration] = Field(
        {}, description="Figures of VM sizes the catalog does not know."
    )
    legacyV1Flow: bool = Field(
        False,
        description="The cluster was attached through the Azure ML v1 flow (legacy azureml-fe "
        "installed, to be removed before the extension installs).",
    )

    @model_validator(mode="before")
    @classmethod
    def _refused(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if "servicePrincipal" in data:
                raise ValueError(
                    "servicePrincipal is not supported by Azure ML: AKS must use a managed "
                    "identity (identity.type SystemAssigned or UserAssigned). Converting a "
                    "cluster from a service principal means re-creating all node pools before "
                    "the extension is installed."
                )
            if "podIdentity" in data:
                raise ValueError(
                    "Microsoft Entra pod identity is not supported by Azure ML: remove "
                    "podIdentity (use workload identity for your own pods)"
                )
        return data

    @field_validator("name")
    @classmethod
    def _cluster_name(cls, value: str) -> str:
        if not aks.CLUSTER_NAME.fullmatch(value):
            raise ValueError(f"'{value}' is not a valid AKS cluster name: {aks.CLUSTER_NAME_RULE}")
        return value

    @field_validator("resourceGroup")
    @classmethod
    def _group_name(cls, value: str | None) -> str | None:
        problem = naming.RESOURCE_GROUP.problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _pools(self) -> AksClusterSettings:
        if not self.nodePools:
            raise ValueError("nodePools needs at least one pool")
        names = [pool.name for pool in self.nodePools]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"node pool names must be unique: {', '.join(duplicates)}")
        if not any(pool.mode == "System" for pool in self.nodePools):
            raise ValueError("AKS needs at least one node pool with mode: System")
        declared = self.declared_sizes()
        for pool in self.nodePools:
            if vm_sizes.lookup(pool.vmSize, declared) is None:
                raise ValueError(
                    f"node pool '{pool.name}': VM size '{pool.vmSize}' is not in the catalog; "
                    "declare it under cluster.vmSizes, e.g. "
                    f"vmSizes: {{{pool.vmSize}: {{vcpu: 8, memoryGiB: 32, gpus: 0}}}}"
                )
        if self.disableLocalAccounts and self.legacyV1Flow:
            raise ValueError(
                "legacyV1Flow clusters keep local accounts until the legacy azureml-fe is "
                "removed; set disableLocalAccounts: false"
            )
        return self

    def declared_sizes(self) -> dict[str, vm_sizes.VmSize]:
        return {
            name: vm_sizes.VmSize(size.vcpu, size.memoryGiB, size.gpus)
            for name, size in self.vmSizes.items()
        }

    def size_of(self, pool: NodePool) -> vm_sizes.VmSize:
        size = vm_sizes.lookup(pool.vmSize, self.declared_sizes())
        assert size is not None  # checked in _pools
        return size

    @property
    def node_count(self) -> int:
        return sum(pool.nodes for pool in self.nodePools)

    def capacity(self) -> tuple[int, float, int]:
        """(vCPU, memory GiB, GPUs) of the nodes the cluster is sure to have."""
        vcpu = gpus = 0
        memory = 0.0
        for pool in self.nodePools:
            size = self.size_of(pool)
            vcpu += size.vcpu * pool.nodes
            memory += size.memory_gib * pool.nodes
            gpus += size.gpus * pool.nodes
        return vcpu, memory, gpus


class ArcClusterSettings(Model):
    """An existing Azure Arc-connected cluster, attached by id."""

    kind: Literal["arc"] = Field(description="arc: attach an Arc-connected cluster.")
    connectedClusterId: str = Field(
        description="The connected cluster's resource id.",
        examples=[arm.CONNECTED_CLUSTER.example],
    )
    nodeCount: int = Field(
        ge=1,
        description="Worker nodes (declared so plans are known offline; compared with the live "
        "cluster at deploy time).",
    )
    distribution: str | None = Field(
        None, description="As Azure Arc reports it; 'openshift' sets openshift=true."
    )

    @field_validator("connectedClusterId")
    @classmethod
    def _id(cls, value: str) -> str:
        return resource_id(value, arm.CONNECTED_CLUSTER, "connectedClusterId")

    @property
    def arm_id(self) -> arm.ResourceId:
        return parsed_id(self.connectedClusterId, arm.CONNECTED_CLUSTER)

    @property
    def node_count(self) -> int:
        return self.nodeCount


Cluster = Annotated[AksClusterSettings | ArcClusterSettings, Field(discriminator="kind")]
