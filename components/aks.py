"""A new AKS cluster, made the way Azure ML needs it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes_sdk
from pulumi_azure_native import authorization, containerservice, operationalinsights

from catalog import aks, aks_upgrades, arm, naming, roles, tokens
from catalog import extension as catalog_extension
from components.cluster import ClusterComponent, ClusterHandle, decode_kubeconfig
from components.options import children_of
from stacks.settings import AksClusterSettings, NodePool, Workspace, upgrades


@dataclass(frozen=True)
class AksInputs:
    """What the platform decides for the cluster besides its settings."""

    facts: catalog_extension.ClusterFacts  # the plan-time facts the extension is configured with
    resource_group_name: pulumi.Input[str]
    subnet_id: pulumi.Input[str | None]  # the node subnet (components.network), or AKS's own
    # The stack's ranges and the Azure ML control plane's, then the firewall's egress IPs (known
    # at deploy time only).
    authorized_ranges: Sequence[pulumi.Input[str]]
    production: bool
    container_insights: bool
    defender: bool


class AksCluster(ClusterComponent):
    """An AKS cluster the way Azure ML needs it: managed identity, node pools, network, API server
    access (with the Azure ML control plane admitted), monitoring and Trusted Access."""

    def __init__(
        self,
        name: str,
        cluster: AksClusterSettings,
        inputs: AksInputs,
        *,
        workspaces: Sequence[Workspace] = (),
        deployer_object_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """deployer_object_id: the deploying identity, made cluster admin when local accounts
        are off and the stack applies its own Kubernetes objects."""
        super().__init__(tokens.AKS_CLUSTER_COMPONENT, name, None, opts)
        self._name, self._opts, self._cluster, self._inputs = name, opts, cluster, inputs
        logs_id = self._logs()
        # The cluster autoscaler owns the node count of autoscaled pools; Pulumi must not reset it.
        ignore = [
            f"agentPoolProfiles[{i}].count"
            for i, pool in enumerate(cluster.nodePools)
            if pool.autoscale
        ]
        managed = containerservice.ManagedCluster(
            f"{name}-cluster",
            **cluster_arguments(cluster, inputs, logs_id),
            # Production clusters are protected: deleting one takes every model with it.
            opts=children_of(self, opts, protect=inputs.production, ignore_changes=ignore or None),
        )
        self._maintenance(managed)
        bindings = self._trusted_access(managed, workspaces)
        kubeconfig = self._kubeconfig(managed)
        waits: list[pulumi.Resource] = [managed]
        if cluster.disableLocalAccounts and deployer_object_id:
            waits.append(self._deployer_admin(managed, deployer_object_id))
        provider = kubernetes_sdk.Provider(
            f"{name}-k8s", kubeconfig=kubeconfig, opts=children_of(self, opts, depends_on=waits)
        )
        self._publish(
            ClusterHandle(
                facts=inputs.facts,
                resource=managed,
                attach_after=bindings,
                kubeconfig=kubeconfig,
                provider=provider,
            )
        )

    def _logs(self) -> pulumi.Input[str] | None:
        """The Log Analytics workspace Container Insights and Defender write to: the stack's, or
        one made for them."""
        cluster, inputs = self._cluster, self._inputs
        logs_id = cluster.monitoring.logAnalyticsWorkspaceId
        if (inputs.container_insights or inputs.defender) and not logs_id:
            logs = operationalinsights.Workspace(
                f"{self._name}-logs",
                resource_group_name=inputs.resource_group_name,
                workspace_name=naming.fit(naming.LOG_ANALYTICS_WORKSPACE, cluster.name, "-logs"),
                location=inputs.facts.location,
                sku={"name": "PerGB2018"},
                retention_in_days=30,
                opts=children_of(self, self._opts),
            )
            return logs.id
        return logs_id

    def _maintenance(self, managed: containerservice.ManagedCluster) -> None:
        """The planned maintenance windows of the auto-upgrades (weekly)."""
        for config_name, window in upgrades.windows(self._cluster, self._inputs.production).items():
            containerservice.MaintenanceConfiguration(
                f"{self._name}-{config_name}",
                config_name=config_name,
                resource_group_name=self._inputs.resource_group_name,
                resource_name_=self._cluster.name,
                maintenance_window={
                    "schedule": {
                        "weekly": {
                            "day_of_week": window.day,
                            "interval_weeks": window.intervalWeeks,
                        }
                    },
                    "start_time": window.startTime,
                    "duration_hours": window.durationHours,
                    "utc_offset": window.utcOffset,
                },
                opts=children_of(self, self._opts, depends_on=[managed]),
            )

    def _trusted_access(
        self, managed: containerservice.ManagedCluster, workspaces: Sequence[Workspace]
    ) -> list[pulumi.Resource]:
        """With local accounts off, Azure ML reaches the cluster only through Trusted Access: one
        binding per workspace, made before any compute attach."""
        if not self._cluster.disableLocalAccounts:
            return []
        return [
            containerservice.TrustedAccessRoleBinding(
                f"{self._name}-trusted-access"
                + (f"-{workspace.local_name}" if workspace.local_name else ""),
                resource_group_name=self._inputs.resource_group_name,
                resource_name_=self._cluster.name,
                trusted_access_role_binding_name=aks.trusted_access_binding_name(
                    workspace.workspace_name
                ),
                source_resource_id=workspace.id,
                roles=[aks.TRUSTED_ACCESS_ROLE],
                opts=children_of(self, self._opts, depends_on=[managed]),
            )
            for workspace in workspaces
        ]

    def _kubeconfig(self, managed: containerservice.ManagedCluster) -> pulumi.Output[str]:
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=self._inputs.resource_group_name,
            resource_name=self._cluster.name,
            # Entra ID clusters hand out an exec (kubelogin) kubeconfig, never a static token.
            format="exec" if self._cluster.disableLocalAccounts else None,
            opts=pulumi.InvokeOutputOptions(depends_on=[managed]),
        )
        return pulumi.Output.secret(credentials.apply(decode_kubeconfig))

    def _deployer_admin(
        self, managed: containerservice.ManagedCluster, deployer_object_id: str
    ) -> pulumi.Resource:
        subscription = self._inputs.facts.subscription_id
        return authorization.RoleAssignment(
            f"{self._name}-deployer-admin",
            scope=managed.id,
            principal_id=deployer_object_id,
            # A stable name: the same deployer on the same cluster is one assignment.
            role_assignment_name=str(
                uuid.uuid5(
                    uuid.NAMESPACE_URL,
                    f"{subscription}/{self._cluster.name}/{deployer_object_id}",
                )
            ),
            # Lets the deploying identity apply in-cluster objects when local accounts are off.
            role_definition_id=arm.role_definition(subscription, roles.AKS_RBAC_CLUSTER_ADMIN),
            opts=children_of(self, self._opts, depends_on=[managed]),
        )


def cluster_arguments(
    cluster: AksClusterSettings, inputs: AksInputs, logs_id: pulumi.Input[str] | None
) -> dict:
    """The ManagedCluster's arguments."""
    identity: dict = {"type": cluster.identity.type}
    if cluster.identity.userAssignedIdentityId:
        identity["user_assigned_identities"] = {cluster.identity.userAssignedIdentityId: {}}
    entra_only = cluster.disableLocalAccounts
    return {
        "resource_name_": cluster.name,
        "resource_group_name": inputs.resource_group_name,
        "location": inputs.facts.location,
        "dns_prefix": cluster.name,
        "kubernetes_version": cluster.kubernetesVersion,
        "identity": identity,
        "agent_pool_profiles": [
            _pool(pool, inputs.subnet_id, cluster.size_of(pool).gpus > 0, inputs.production)
            for pool in cluster.nodePools
        ],
        "enable_rbac": True,
        "disable_local_accounts": entra_only,
        "aad_profile": {"managed": True, "enable_azure_rbac": True} if entra_only else None,
        "network_profile": {
            "network_plugin": cluster.network.plugin,
            "outbound_type": cluster.network.outboundType,
            "pod_cidr": cluster.network.podCidr,
            "service_cidr": cluster.network.serviceCidr,
            "dns_service_ip": cluster.network.dnsServiceIP,
            "load_balancer_sku": "standard",
        },
        "api_server_access_profile": {
            "authorized_ip_ranges": list(inputs.authorized_ranges) or None,
            "enable_private_cluster": cluster.apiServer.privateCluster,
        },
        "addon_profiles": {
            "omsagent": {"enabled": True, "config": {"logAnalyticsWorkspaceResourceID": logs_id}}
        }
        if inputs.container_insights
        else None,
        "security_profile": {
            "defender": {
                "log_analytics_workspace_resource_id": logs_id,
                "security_monitoring": {"enabled": True},
            }
        }
        if inputs.defender
        else None,
        "sku": {"name": "Base", "tier": upgrades.tier(cluster, inputs.production)},
        **_upgrade_arguments(cluster, inputs.production),
    }


def _upgrade_arguments(cluster: AksClusterSettings, production: bool) -> dict:
    """Support plan and auto-upgrade channels, only when they are set (AKS's defaults
    otherwise, so a stack that sets none keeps its plan)."""
    found: dict = {}
    if upgrades.tier(cluster, production) == "Premium":
        found["support_plan"] = aks_upgrades.PREMIUM_SUPPORT_PLAN
    channel, node_os = upgrades.channels(cluster, production)
    if channel or node_os:
        found["auto_upgrade_profile"] = {
            key: value
            for key, value in (("upgrade_channel", channel), ("node_os_upgrade_channel", node_os))
            if value
        }
    return found


def _pool(pool: NodePool, subnet_id: pulumi.Input[str | None], gpu: bool, prod: bool) -> dict:
    profile: dict = {
        "name": pool.name,
        "mode": pool.mode,
        "vm_size": pool.vmSize,
        "os_type": "Linux",
        "type": "VirtualMachineScaleSets",
        "vnet_subnet_id": subnet_id,
        "node_labels": pool.labels or None,
        "node_taints": pool.taints or None,
        "availability_zones": pool.availabilityZones or None,
        "max_pods": pool.maxPods,
        "os_disk_size_gb": pool.osDiskSizeGB,
    }
    if pool.autoscale:
        profile.update(
            enable_auto_scaling=True,
            min_count=pool.minCount,
            max_count=pool.maxCount,
            count=pool.minCount,
        )
    else:
        profile.update(enable_auto_scaling=False, count=pool.count)
    settings = upgrades.pool_upgrade(pool, gpu, prod)
    upgrade = {
        key: value
        for key, value in (
            ("max_surge", settings.maxSurge),
            ("max_unavailable", settings.maxUnavailable),
            ("drain_timeout_in_minutes", settings.drainTimeoutMinutes),
            ("node_soak_duration_in_minutes", settings.nodeSoakMinutes),
            ("undrainable_node_behavior", settings.undrainableNodeBehavior),
        )
        if value is not None
    }
    if upgrade:
        profile["upgrade_settings"] = upgrade
    return profile
