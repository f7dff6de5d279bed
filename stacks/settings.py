"""Stack settings: the only reader of pulumi.Config.

`load()` reads the stack's configuration once, validates all of it up front and returns frozen
models; components take those models and never see raw config. The same models validate any stack
YAML file under preflight (which hands the file's config to the program through the Pulumi
runtime). Every default is the secure choice. Errors name the stack file and the key path, suggest
the nearest valid key for a misspelt one, and never show a traceback: under `pulumi up` they are a
`pulumi.RunError`, which Pulumi prints as a plain error.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from catalog import aks, regions, vm_sizes
from catalog import extension as ext

PROJECT = "azureml-k8s"
# Preflight tells the program which file its configuration came from, so errors can name it.
CONFIG_FILE_ENV = "PREFLIGHT_CONFIG_FILE"
SECRET_KEYS = ("sslCertPem", "sslKeyPem", "kubeconfig")


class SettingsError(pulumi.RunError):
    """Invalid stack settings. `errors` holds (key path, message) pairs; str() is the report."""

    def __init__(self, file: str, errors: list[tuple[str, str]]):
        self.file = file
        self.errors = errors
        lines = [f"{file}: {path}: {message}" for path, message in errors]
        super().__init__(
            f"invalid stack settings ({len(errors)} problem"
            f"{'s' if len(errors) != 1 else ''}):\n" + "\n".join(lines)
        )


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


Environment = Literal["dev", "test", "prod"]
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_WORKSPACE_ID = re.compile(
    rf"^/subscriptions/({_GUID})/resourceGroups/([^/]+)/providers/"
    r"Microsoft\.MachineLearningServices/workspaces/([^/]+)$",
    re.IGNORECASE,
)
_CONNECTED_CLUSTER_ID = re.compile(
    rf"^/subscriptions/({_GUID})/resourceGroups/([^/]+)/providers/"
    r"Microsoft\.Kubernetes/connectedClusters/([^/]+)$",
    re.IGNORECASE,
)
_IDENTITY_ID = re.compile(
    rf"^/subscriptions/{_GUID}/resourceGroups/[^/]+/providers/"
    r"Microsoft\.ManagedIdentity/userAssignedIdentities/[^/]+$",
    re.IGNORECASE,
)
_SUBNET_ID = re.compile(
    rf"^/subscriptions/{_GUID}/resourceGroups/[^/]+/providers/"
    r"Microsoft\.Network/virtualNetworks/[^/]+/subnets/[^/]+$",
    re.IGNORECASE,
)


def _network(cidr: str, what: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        try:
            fixed = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValueError(
                f"{what}: '{cidr}' is not a CIDR range (e.g. 203.0.113.0/24)"
            ) from None
        raise ValueError(
            f"{what}: '{cidr}' does not start at its network address; write {fixed}"
        ) from None


class _ResourceIdParts:
    """Subscription, resource group and name of a model's (already validated) ARM id field."""

    _ID: ClassVar[tuple[re.Pattern, str]]

    def _part(self, index: int) -> str:
        pattern, field = self._ID
        match = pattern.match(getattr(self, field))
        assert match  # the field validator guarantees it
        return match.group(index)

    @property
    def subscription_id(self) -> str:
        return self._part(1)

    @property
    def resource_group(self) -> str:
        return self._part(2)

    @property
    def name(self) -> str:
        return self._part(3)


# ---------------------------------------------------------------------------------------------
# Cluster


class NodePool(Model):
    name: str
    vmSize: str
    mode: Literal["System", "User"] = "User"
    count: int | None = None
    minCount: int | None = None
    maxCount: int | None = None
    labels: dict[str, str] = {}
    taints: list[str] = []
    availabilityZones: list[Literal["1", "2", "3"]] = []
    maxPods: int | None = None
    osDiskSizeGB: int | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not aks.NODE_POOL_NAME.match(v):
            raise ValueError(f"'{v}' is not a valid AKS node pool name: {aks.NODE_POOL_NAME_RULE}")
        return v

    @field_validator("taints")
    @classmethod
    def _taints(cls, v: list[str]) -> list[str]:
        for taint in v:
            if not aks.TAINT.match(taint):
                raise ValueError(
                    f"'{taint}' is not a taint: write key=value:Effect with Effect "
                    "NoSchedule, PreferNoSchedule or NoExecute"
                )
        return v

    @field_validator("maxPods")
    @classmethod
    def _max_pods(cls, v: int | None) -> int | None:
        if v is not None and not aks.MAX_PODS_MIN <= v <= aks.MAX_PODS_MAX:
            raise ValueError(f"must be between {aks.MAX_PODS_MIN} and {aks.MAX_PODS_MAX}")
        return v

    @model_validator(mode="after")
    def _counts(self) -> NodePool:
        low = 1 if self.mode == "System" else 0
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
                    f"need {low} <= minCount <= maxCount <= "
                    f"{aks.MAX_NODES_PER_POOL} (got {self.minCount}..{self.maxCount})"
                    + ("; a System pool keeps at least one node" if low else "")
                )
        elif self.count is None:
            raise ValueError("set count (fixed size) or minCount and maxCount (cluster autoscaler)")
        elif not low <= self.count <= aks.MAX_NODES_PER_POOL:
            raise ValueError(
                f"count must be between {low} and {aks.MAX_NODES_PER_POOL}"
                + ("; a System pool keeps at least one node" if low else "")
            )
        return self

    @property
    def autoscale(self) -> bool:
        return self.minCount is not None

    @property
    def nodes(self) -> int:
        """Nodes the pool is sure to have: its count, or minCount under the autoscaler."""
        return self.minCount if self.autoscale else self.count  # type: ignore[return-value]


class VmSizeDeclaration(Model):
    vcpu: int = Field(gt=0)
    memoryGiB: float = Field(gt=0)
    gpus: int = Field(default=0, ge=0)


class Identity(Model):
    type: Literal["SystemAssigned", "UserAssigned"] = "SystemAssigned"
    userAssignedIdentityId: str | None = None

    @model_validator(mode="after")
    def _user_assigned(self) -> Identity:
        if self.type == "UserAssigned":
            if not self.userAssignedIdentityId:
                raise ValueError(
                    "UserAssigned needs userAssignedIdentityId (the identity's resource id)"
                )
            if not _IDENTITY_ID.match(self.userAssignedIdentityId):
                raise ValueError(
                    "userAssignedIdentityId must be a resource id like /subscriptions/"
                    "<id>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/"
                    "userAssignedIdentities/<name>"
                )
        elif self.userAssignedIdentityId:
            raise ValueError("userAssignedIdentityId is only used with type: UserAssigned")
        return self


class VirtualNetwork(Model):
    addressPrefix: str = "10.224.0.0/12"
    subnetPrefix: str = "10.224.0.0/16"

    @model_validator(mode="after")
    def _prefixes(self) -> VirtualNetwork:
        vnet = _network(self.addressPrefix, "addressPrefix")
        subnet = _network(self.subnetPrefix, "subnetPrefix")
        if not subnet.subnet_of(vnet):  # type: ignore[arg-type]
            raise ValueError(f"subnetPrefix {subnet} is not inside addressPrefix {vnet}")
        return self


class Network(Model):
    plugin: Literal["azure", "kubenet"] = "azure"
    subnetId: str | None = None
    vnet: VirtualNetwork | None = None
    outboundType: Literal["loadBalancer", "userDefinedRouting"] = "loadBalancer"
    podCidr: str | None = None
    serviceCidr: str = "10.0.0.0/16"
    dnsServiceIP: str = "10.0.0.10"

    @model_validator(mode="after")
    def _shape(self) -> Network:
        if self.subnetId and self.vnet:
            raise ValueError("set subnetId (an existing subnet) or vnet (a new one), not both")
        if self.subnetId and not _SUBNET_ID.match(self.subnetId):
            raise ValueError(
                "subnetId must be a subnet resource id: /subscriptions/<id>/"
                "resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/"
                "<vnet>/subnets/<subnet>"
            )
        if self.outboundType == "userDefinedRouting" and not self.subnetId:
            raise ValueError(
                "outboundType userDefinedRouting needs subnetId: an existing subnet "
                "whose route table sends 0.0.0.0/0 to your firewall"
            )
        if self.podCidr and self.plugin != "kubenet":
            raise ValueError("podCidr applies to kubenet only; Azure CNI gives pods subnet IPs")
        service = _network(self.serviceCidr, "serviceCidr")
        if ipaddress.ip_address(self.dnsServiceIP) not in service:
            raise ValueError(
                f"dnsServiceIP {self.dnsServiceIP} must be inside serviceCidr {service}"
            )
        return self


class ApiServer(Model):
    authorizedIpRanges: list[str] = []
    # Region -> CIDRs of the AzureMachineLearning.<region> service tag; extends or replaces the
    # catalog's table for that region.
    azureMlControlPlaneRanges: dict[str, list[str]] = {}
    privateCluster: bool = False

    @field_validator("authorizedIpRanges")
    @classmethod
    def _ranges(cls, v: list[str]) -> list[str]:
        for cidr in v:
            _network(cidr, "authorizedIpRanges")
        if "0.0.0.0/32" in v and len(v) > 1:
            raise ValueError(
                "0.0.0.0/32 (no access except the AKS service) cannot be combined with other ranges"
            )
        return v

    @model_validator(mode="after")
    def _private(self) -> ApiServer:
        if self.privateCluster and self.authorizedIpRanges:
            raise ValueError(
                "authorized IP ranges do not apply to a private cluster: remove "
                "authorizedIpRanges or set privateCluster: false"
            )
        return self


class Monitoring(Model):
    containerInsights: bool | None = None  # None: on in prod
    defender: bool | None = None  # None: on in prod
    logAnalyticsWorkspaceId: str | None = None


class AksCluster(Model):
    kind: Literal["aks"]
    name: str
    resourceGroup: str | None = None
    kubernetesVersion: str | None = None
    nodePools: list[NodePool]
    identity: Identity = Identity()
    network: Network = Network()
    apiServer: ApiServer = ApiServer()
    # Secure default: no static kubeconfig; Entra ID + Azure RBAC, with an AKS Trusted Access
    # binding per workspace so Azure ML can still reach the cluster.
    disableLocalAccounts: bool = True
    monitoring: Monitoring = Monitoring()
    vmSizes: dict[str, VmSizeDeclaration] = {}
    # The cluster was attached to Azure ML through the v1 flow (legacy azureml-fe installed).
    legacyV1Flow: bool = False

    @model_validator(mode="before")
    @classmethod
    def _refused(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if "servicePrincipal" in data:
                raise ValueError(
                    "servicePrincipal is not supported by Azure ML: AKS must use a "
                    "managed identity (identity.type SystemAssigned or UserAssigned). "
                    "Converting a cluster from a service principal means re-creating "
                    "all node pools before the extension is installed."
                )
            if "podIdentity" in data:
                raise ValueError(
                    "Microsoft Entra pod identity is not supported by Azure ML: "
                    "remove podIdentity (use workload identity for your own pods)"
                )
        return data

    @field_validator("name")
    @classmethod
    def _cluster_name(cls, v: str) -> str:
        if not aks.CLUSTER_NAME.match(v):
            raise ValueError(f"'{v}' is not a valid AKS cluster name: {aks.CLUSTER_NAME_RULE}")
        return v

    @model_validator(mode="after")
    def _pools(self) -> AksCluster:
        if not self.nodePools:
            raise ValueError("nodePools needs at least one pool")
        names = [p.name for p in self.nodePools]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"node pool names must be unique: {', '.join(duplicates)}")
        if not any(p.mode == "System" for p in self.nodePools):
            raise ValueError("AKS needs at least one node pool with mode: System")
        declared = self.declared_sizes()
        for pool in self.nodePools:
            if vm_sizes.lookup(pool.vmSize, declared) is None:
                raise ValueError(
                    f"node pool '{pool.name}': VM size '{pool.vmSize}' is not in the "
                    "catalog; declare it under cluster.vmSizes, e.g. "
                    f"vmSizes: {{{pool.vmSize}: {{vcpu: 8, memoryGiB: 32, gpus: 0}}}}"
                )
        if self.disableLocalAccounts and self.legacyV1Flow:
            raise ValueError(
                "legacyV1Flow clusters keep local accounts until the legacy "
                "azureml-fe is removed; set disableLocalAccounts: false"
            )
        return self

    def declared_sizes(self) -> dict[str, vm_sizes.VmSize]:
        return {k: vm_sizes.VmSize(v.vcpu, v.memoryGiB, v.gpus) for k, v in self.vmSizes.items()}

    @property
    def node_count(self) -> int:
        return sum(p.nodes for p in self.nodePools)

    def capacity(self) -> tuple[int, float, int]:
        """(vCPU, memory GiB, GPUs) of the nodes the cluster is sure to have."""
        declared = self.declared_sizes()
        vcpu = memory = gpus = 0
        for pool in self.nodePools:
            size = vm_sizes.lookup(pool.vmSize, declared)
            assert size is not None  # checked in _pools
            vcpu += size.vcpu * pool.nodes
            memory += size.memory_gib * pool.nodes
            gpus += size.gpus * pool.nodes
        return vcpu, memory, gpus


class ArcCluster(_ResourceIdParts, Model):
    _ID: ClassVar = (_CONNECTED_CLUSTER_ID, "connectedClusterId")

    kind: Literal["arc"]
    connectedClusterId: str
    nodeCount: int = Field(ge=1)
    distribution: str | None = None  # as Azure Arc reports it; "openshift" needs openshift=true

    @field_validator("connectedClusterId")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _CONNECTED_CLUSTER_ID.match(v):
            raise ValueError(
                "connectedClusterId must be the connected cluster's resource id: "
                "/subscriptions/<id>/resourceGroups/<rg>/providers/"
                "Microsoft.Kubernetes/connectedClusters/<name>"
            )
        return v

    @property
    def node_count(self) -> int:
        return self.nodeCount


Cluster = Annotated[AksCluster | ArcCluster, Field(discriminator="kind")]


# ---------------------------------------------------------------------------------------------
# Extension


class Extension(Model):
    """The documented settings of the Azure ML extension, under their documented names."""

    name: str = "azureml"
    enableTraining: bool = False
    enableInference: bool = False
    allowInsecureConnections: bool = False
    inferenceRouterServiceType: str | None = None
    internalLoadBalancerProvider: Literal["azure"] | None = None
    sslSecret: str | None = None
    sslCname: str | None = None
    inferenceRouterHA: bool | None = None  # unset: True, or False on a cluster under 3 nodes
    nodeSelector: dict[str, str] = {}
    installNvidiaDevicePlugin: bool = False
    installPromOp: bool = True
    installVolcano: bool = True
    installDcgmExporter: bool = False
    # Protected settings, as with `--config-protected`: paths of PEM files (no passphrase), read at
    # deployment. Prefer the secret config values azureml-k8s:sslCertPem / sslKeyPem.
    sslCertPemFile: str | None = None
    sslKeyPemFile: str | None = None
    releaseTrain: Literal["stable", "preview"] = ext.RELEASE_TRAIN
    version: str | None = None
    autoUpgradeMinorVersion: bool = True

    @field_validator("inferenceRouterServiceType")
    @classmethod
    def _service_type(cls, v: str | None) -> str | None:
        # Case-insensitive like the CLI; the user's spelling is what gets sent.
        if v is not None and v.lower() not in {t.lower() for t in ext.SERVICE_TYPES}:
            raise ValueError(
                f"'{v}' is not a router service type: use loadBalancer, nodePort or clusterIP"
            )
        return v

    @field_validator("sslCname")
    @classmethod
    def _cname(cls, v: str | None) -> str | None:
        if v is not None and not _HOSTNAME.match(v):
            raise ValueError(f"'{v}' is not a host name (e.g. scoring.ml.contoso.com)")
        return v

    @field_validator("sslSecret")
    @classmethod
    def _secret(cls, v: str | None) -> str | None:
        if v is not None and not _DNS_LABEL.match(v):
            raise ValueError(
                f"'{v}' is not a Kubernetes Secret name (lowercase letters, digits and '-')"
            )
        return v

    @model_validator(mode="after")
    def _version(self) -> Extension:
        if self.version and self.autoUpgradeMinorVersion:
            raise ValueError("pinning version needs autoUpgradeMinorVersion: false")
        if bool(self.sslCertPemFile) != bool(self.sslKeyPemFile):
            raise ValueError("sslCertPemFile and sslKeyPemFile go together")
        return self

    def cli_settings(self) -> dict[str, str]:
        """The `--config` pairs a user would pass to az k8s-extension create: the keys set in the
        stack, as strings."""
        out: dict[str, str] = {}
        for key in sorted(self.model_fields_set & set(ext.SETTINGS)):
            value = getattr(self, key)
            if key == "nodeSelector":
                out.update({f"{ext.NODE_SELECTOR_PREFIX}{k}": v for k, v in sorted(value.items())})
            elif value is not None:
                out[key] = ext.wire_bool(value) if isinstance(value, bool) else str(value)
        return out

    def cli_protected_paths(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ext.PROTECTED_SETTINGS if getattr(self, k)}


# ---------------------------------------------------------------------------------------------
# Workspace, computes, manifests


class Workspace(_ResourceIdParts, Model):
    _ID: ClassVar = (_WORKSPACE_ID, "id")

    id: str

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _WORKSPACE_ID.match(v):
            raise ValueError(
                "must be a workspace resource id: /subscriptions/<id>/resourceGroups/"
                "<rg>/providers/Microsoft.MachineLearningServices/workspaces/<name>"
            )
        return v


class Compute(Model):
    name: str
    namespace: str = "default"

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not re.match(r"^[A-Za-z][A-Za-z0-9-]{1,15}$", v):
            raise ValueError(
                f"'{v}' is not a compute name: 2 to 16 letters, digits or '-', "
                "starting with a letter"
            )
        return v

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, v: str) -> str:
        if not _DNS_LABEL.match(v):
            raise ValueError(f"'{v}' is not a Kubernetes namespace name")
        return v


class Manifest(BaseModel):
    """One Kubernetes object; its body is free-form but must name itself."""

    model_config = ConfigDict(frozen=True, extra="allow")
    apiVersion: str
    kind: str
    metadata: dict[str, Any]

    @model_validator(mode="after")
    def _named(self) -> Manifest:
        if not self.metadata.get("name"):
            raise ValueError("metadata.name is required")
        if self.kind == "Secret":
            raise ValueError(
                "a Secret in plain stack settings would not be secret: create it "
                "from a secret config value instead"
            )
        return self

    def body(self) -> dict[str, Any]:
        return self.model_dump()


# ---------------------------------------------------------------------------------------------
# The stack


class Settings(Model):
    location: str
    environment: Environment
    cluster: Cluster
    extension: Extension
    workspace: Workspace | None = None
    computes: list[Compute] = []
    extraManifests: list[Manifest] = []
    subscriptionId: str | None = None
    sslCertPem: SecretStr | None = None
    sslKeyPem: SecretStr | None = None
    kubeconfig: SecretStr | None = None  # Arc only: how to reach the cluster's API server

    @model_validator(mode="after")
    def _cross_field(self) -> Settings:
        problems = [*self._extension_rules(), *self._cluster_rules(), *self._compute_rules()]
        if problems:
            raise _Problems(problems)
        return self

    def _extension_rules(self) -> list[tuple[tuple, str]]:
        e, c = self.extension, self.cluster
        at = ("extension",)
        problems = []
        pem_config = self.sslCertPem is not None or self.sslKeyPem is not None
        if pem_config and (self.sslCertPem is None or self.sslKeyPem is None):
            problems.append(
                (
                    ("sslCertPem" if self.sslCertPem is None else "sslKeyPem",),
                    "sslCertPem and sslKeyPem go together: set both with "
                    "`pulumi config set --secret`",
                )
            )
        if pem_config and e.sslCertPemFile:
            problems.append(
                (
                    at + ("sslCertPemFile",),
                    "the PEM pair is set twice: keep the "
                    "secret config values sslCertPem/sslKeyPem or the files, not both",
                )
            )
        protected = e.cli_protected_paths() or (
            {"sslCertPemFile": "<secret>", "sslKeyPemFile": "<secret>"} if pem_config else {}
        )
        try:
            ext.validate(e.cli_settings(), protected)
        except ext.ExtensionConfigError as err:
            problems.append((at + (err.key,), str(err)))
        if e.internalLoadBalancerProvider and c.kind == "arc":
            problems.append(
                (
                    at + ("internalLoadBalancerProvider",),
                    "an internal Azure load "
                    "balancer exists on AKS only: remove it for an Arc cluster",
                )
            )
        if e.allowInsecureConnections and e.enableInference and self.environment == "prod":
            problems.append(
                (
                    at + ("allowInsecureConnections",),
                    "HTTP scoring endpoints are for "
                    "dev/test: serve prod over HTTPS (sslCname + sslSecret or the PEM pair)",
                )
            )
        if e.inferenceRouterHA and c.node_count < ext.HA_MIN_NODES:
            problems.append(
                (
                    at + ("inferenceRouterHA",),
                    "router-ha-needs-three-nodes: "
                    f"inferenceRouterHA runs 3 azureml-fe replicas but the cluster has "
                    f"{c.node_count} node(s); set inferenceRouterHA: false or add nodes",
                )
            )
        return problems

    def _cluster_rules(self) -> list[tuple[tuple, str]]:
        c = self.cluster
        problems: list[tuple[tuple, str]] = []
        if self.kubeconfig is not None and not isinstance(c, ArcCluster):
            problems.append(
                (
                    ("kubeconfig",),
                    "kubeconfig is for Arc clusters; an AKS cluster's "
                    "credentials come from AKS itself",
                )
            )
        if isinstance(c, ArcCluster):
            if (
                self.workspace
                and c.subscription_id.lower() != self.workspace.subscription_id.lower()
            ):
                problems.append(
                    (
                        ("cluster", "connectedClusterId"),
                        "the connected cluster must be "
                        "in the workspace's subscription "
                        f"({self.workspace.subscription_id})",
                    )
                )
            return problems
        if self.environment == "prod":
            vcpu, memory, _ = c.capacity()
            if vcpu < aks.PROD_MIN_VCPU or memory < aks.PROD_MIN_MEMORY_GIB:
                problems.append(
                    (
                        ("cluster", "nodePools"),
                        f"production needs at least "
                        f"{aks.PROD_MIN_VCPU} vCPU and {aks.PROD_MIN_MEMORY_GIB} GiB in "
                        f"total; these pools guarantee {vcpu} vCPU and {memory:g} GiB",
                    )
                )
        if (
            self.subscriptionId
            and self.workspace
            and self.subscriptionId.lower() != self.workspace.subscription_id.lower()
        ):
            problems.append(
                (
                    ("workspace", "id"),
                    "Azure ML cannot attach an AKS cluster from "
                    "another subscription: connect it through Azure Arc in the "
                    "workspace's subscription",
                )
            )
        ranges = self.authorized_ranges()
        if len(ranges) > aks.MAX_AUTHORIZED_IP_RANGES:
            problems.append(
                (
                    ("cluster", "apiServer", "authorizedIpRanges"),
                    f"{len(ranges)} "
                    f"ranges with the Azure ML control plane's; AKS allows "
                    f"{aks.MAX_AUTHORIZED_IP_RANGES}",
                )
            )
        if c.apiServer.authorizedIpRanges and c.apiServer.authorizedIpRanges != ["0.0.0.0/32"]:
            for region in self.control_plane_regions():
                if not self._control_plane_ranges(region):
                    problems.append(
                        (
                            ("cluster", "apiServer", "azureMlControlPlaneRanges"),
                            f"no Azure ML control-plane ranges known for region "
                            f"'{region}': add the AzureMachineLearning.{region} service "
                            f"tag's CIDRs under azureMlControlPlaneRanges.{region}",
                        )
                    )
        for region, cidrs in c.apiServer.azureMlControlPlaneRanges.items():
            for cidr in cidrs:
                try:
                    _network(cidr, "azureMlControlPlaneRanges")
                except ValueError as err:
                    problems.append(
                        (("cluster", "apiServer", "azureMlControlPlaneRanges", region), str(err))
                    )
        return problems

    def _compute_rules(self) -> list[tuple[tuple, str]]:
        problems: list[tuple[tuple, str]] = []
        if self.computes and self.workspace is None:
            problems.append(
                (("workspace",), "computes are attached to a workspace: set workspace.id")
            )
        for field, label in (("name", "compute names"), ("namespace", "namespaces")):
            seen: set[str] = set()
            for i, compute in enumerate(self.computes):
                value = getattr(compute, field)
                if value in seen:
                    problems.append(
                        (
                            ("computes", i, field),
                            f"{label} must be unique: '{value}' "
                            "is used twice (one attach per namespace isolates teams)",
                        )
                    )
                seen.add(value)
        return problems

    # Derived facts ---------------------------------------------------------------------------

    @property
    def region(self) -> str:
        return regions.normalize(self.location)

    @property
    def prod(self) -> bool:
        return self.environment == "prod"

    def control_plane_regions(self) -> list[str]:
        pair = regions.paired(self.region)
        return [self.region] + ([pair] if pair else [])

    def _control_plane_ranges(self, region: str) -> list[str]:
        assert isinstance(self.cluster, AksCluster)
        override = {
            regions.normalize(k): v
            for k, v in self.cluster.apiServer.azureMlControlPlaneRanges.items()
        }
        if region in override:
            return list(override[region])
        return list(regions.AZUREML_CONTROL_PLANE_RANGES.get(region, ()))

    def authorized_ranges(self) -> list[str]:
        """The API server's authorized ranges: the stack's, plus the Azure ML control plane's of
        the region and its pair; empty when the stack sets none (API server open)."""
        assert isinstance(self.cluster, AksCluster)
        own = self.cluster.apiServer.authorizedIpRanges
        if not own or own == ["0.0.0.0/32"]:
            return list(own)
        merged = list(own)
        for region in self.control_plane_regions():
            merged += [r for r in self._control_plane_ranges(region) if r not in merged]
        return merged

    def container_insights(self) -> bool:
        assert isinstance(self.cluster, AksCluster)
        flag = self.cluster.monitoring.containerInsights
        return self.prod if flag is None else flag

    def defender(self) -> bool:
        assert isinstance(self.cluster, AksCluster)
        flag = self.cluster.monitoring.defender
        return self.prod if flag is None else flag


class _Problems(ValueError):
    """Several cross-field problems, each with its own key path (relative to the stack)."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        super().__init__("; ".join(m for _, m in problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# Loading

_CONFIG_KEYS = {
    "environment": "environment",
    "cluster": "cluster",
    "extension": "extension",
    "workspace": "workspace",
    "computes": "computes",
    "extraManifests": "extraManifests",
    "sslCertPem": "sslCertPem",
    "sslKeyPem": "sslKeyPem",
    "kubeconfig": "kubeconfig",
}


def config_file() -> str:
    """The stack file the configuration came from, for error messages."""
    return os.environ.get(CONFIG_FILE_ENV) or f"stacks/Pulumi.{pulumi.get_stack()}.yaml"


def _raw_config() -> tuple[dict[str, Any], set[str]]:
    """All config values (key -> raw string) and the secret keys, as the runtime holds them."""
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secrets = {k for k in values if runtime_config.is_config_secret(k)}
    secrets |= set(runtime_config.get_config_secret_keys_env())
    return values, secrets


def load() -> Settings:
    """Read and validate the whole stack configuration; raise SettingsError on any problem."""
    values, secrets = _raw_config()
    return parse(values, secrets, config_file())


def parse(values: dict[str, Any], secrets: set[str], file: str) -> Settings:
    """Validate raw config values ('project:key' -> string, objects JSON-encoded)."""
    data: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for full_key, raw in sorted(values.items()):
        namespace, _, key = full_key.partition(":")
        if namespace == "azure-native" and key in ("location", "subscriptionId"):
            data[key] = raw
            continue
        if namespace != PROJECT:
            continue
        if key not in _CONFIG_KEYS:
            errors.append((f"config.{full_key}", _unknown(key, list(_CONFIG_KEYS))))
            continue
        if key in SECRET_KEYS and full_key not in secrets:
            errors.append(
                (
                    f"config.{full_key}",
                    f"must be a secret: pulumi config set --secret "
                    f"{full_key} < file.pem (then remove the plain value)",
                )
            )
            continue
        data[key] = _decode(raw)
    if "location" not in data:
        errors.append(
            (
                "config.azure-native:location",
                "required: the Azure region, e.g. "
                "`pulumi config set azure-native:location westeurope`",
            )
        )
    try:
        settings = Settings.model_validate(data)
    except ValidationError as err:
        errors += [e for e in _describe(err) if e[0] != "config.azure-native:location"]
        settings = None
    if settings is not None:
        settings, pem_errors = _with_pem(settings, Path.cwd())
        errors += pem_errors
    if errors or settings is None:
        raise SettingsError(file, errors)
    return settings


def _with_pem(settings: Settings, project_dir: Path) -> tuple[Settings, list[tuple[str, str]]]:
    """Read the PEM files named by the extension (as the CLI does) into the secret fields, and
    refuse keys protected by a passphrase (not supported by azureml-fe)."""
    e = settings.extension
    errors: list[tuple[str, str]] = []
    update: dict[str, SecretStr] = {}
    for path_key, field in (("sslCertPemFile", "sslCertPem"), ("sslKeyPemFile", "sslKeyPem")):
        path = getattr(e, path_key)
        if path:
            try:
                update[field] = SecretStr((project_dir / path).read_text(encoding="ascii"))
            except (OSError, UnicodeDecodeError) as err:
                errors.append(
                    (
                        _path(("extension", path_key)),
                        f"cannot read PEM file '{path}' "
                        f"(relative to the project directory, where pulumi runs): {err.__class__.__name__}",
                    )
                )
    key = update.get("sslKeyPem") or settings.sslKeyPem
    if key is not None and "ENCRYPTED" in key.get_secret_value():
        where = ("extension", "sslKeyPemFile") if "sslKeyPem" in update else ("sslKeyPem",)
        errors.append(
            (
                _path(where),
                "the private key is protected by a passphrase, which "
                "azureml-fe does not support: export it without one (openssl pkey -in "
                "key.pem -out plain.pem)",
            )
        )
    return settings.model_copy(update=update), errors


def _decode(raw: Any) -> Any:
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped[:1] in ("{", "["):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError:
                return raw
    return raw


def _path(loc: tuple) -> str:
    if not loc:
        return "config"
    head, *rest = loc
    namespace = "azure-native" if head in ("location", "subscriptionId") else PROJECT
    text = f"config.{namespace}:{head}"
    for part in rest:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("aks", "arc"):  # the discriminated union's tag is not a key in the file
            continue
        else:
            text += f".{part}"
    return text


def _unknown(key: str, valid: list[str]) -> str:
    lowered = {v.lower(): v for v in valid}
    guess = lowered.get(key.lower()) or next(iter(difflib.get_close_matches(key, valid, n=1)), None)
    hint = f"; did you mean '{guess}'?" if guess else f"; valid keys: {', '.join(sorted(valid))}"
    return f"unknown key '{key}'{hint}"


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the key at `loc`, for did-you-mean suggestions."""
    model: Any = Settings
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        if part in ("aks", "arc"):
            model = AksCluster if part == "aks" else ArcCluster
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(err: ValidationError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for item in err.errors(include_url=False):
        loc = tuple(item["loc"])
        ctx_error = (item.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _Problems):
            out += [(_path(loc + p), m) for p, m in ctx_error.problems]
            continue
        if item["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            valid = list(parent.model_fields) if parent else []
            out.append((_path(loc), _unknown(str(loc[-1]), valid)))
            continue
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required"
        elif item["type"] == "union_tag_invalid" or item["type"] == "union_tag_not_found":
            message = "kind must be 'aks' (create an AKS cluster) or 'arc' (attach an Arc cluster)"
        elif item["type"] == "literal_error":
            message = f"got {item['input']!r}; {message[0].lower()}{message[1:]}"
        out.append((_path(loc), message))
    return out
