"""The Kubernetes cluster Azure ML runs on: a new AKS cluster, or an existing Arc-connected one.

Both give one ClusterHandle, so everything downstream (extension, compute, manifests) is the same
for either kind.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes_sdk
from pulumi_azure_native import (
    authorization,
    containerservice,
    kubernetes,
    network,
    operationalinsights,
    relay,
)

from catalog import aks, arm, tokens
from catalog import extension as catalog_extension
from stacks.settings import AksCluster as AksSettings
from stacks.settings import ArcCluster as ArcSettings
from stacks.settings import NodePool, Workspace

# Built-in role "Azure Kubernetes Service RBAC Cluster Admin" (Microsoft Learn, "Azure built-in
# roles"): lets the deploying identity apply in-cluster objects when local accounts are off.
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"


@dataclass(frozen=True)
class ClusterHandle:
    """What the rest of the platform needs to know about the cluster, whatever its kind: the
    facts known at plan time, what dependents wait for, and how to reach its API server."""

    facts: catalog_extension.ClusterFacts
    resource: pulumi.Resource  # the extension waits for it
    attach_after: list[pulumi.Resource]  # compute attaches also wait for these (Trusted Access)
    kubeconfig: pulumi.Output[str]  # secret
    provider: kubernetes_sdk.Provider
    relay: RelayOutputs | None = None  # Arc only

    @property
    def id(self) -> str:
        return self.facts.resource_id


@dataclass(frozen=True)
class RelayOutputs:
    """The Azure Relay hybrid connection the az CLI creates for the extension on Arc."""

    connection_string: pulumi.Output[str]  # secret
    hybrid_connection_id: pulumi.Output[str]


def _decode_kubeconfig(result) -> str:
    return base64.b64decode(result.kubeconfigs[0].value).decode()


def _register(component: pulumi.ComponentResource, handle: ClusterHandle) -> None:
    """The cluster components' public outputs, under the names the policy pack reads."""
    facts = handle.facts
    component.kind = pulumi.Output.from_input(facts.kind)
    component.cluster_resource_id = pulumi.Output.from_input(facts.resource_id)
    component.cluster_name = pulumi.Output.from_input(facts.name)
    component.resource_group_name = pulumi.Output.from_input(facts.resource_group)
    component.region = pulumi.Output.from_input(facts.location)
    component.node_count = pulumi.Output.from_input(facts.node_count)
    component.kubeconfig = handle.kubeconfig
    component.register_outputs(
        {
            "kind": component.kind,
            tokens.CLUSTER_OUTPUT_RESOURCE_ID: component.cluster_resource_id,
            "clusterName": component.cluster_name,
            "resourceGroupName": component.resource_group_name,
            "region": component.region,
            tokens.CLUSTER_OUTPUT_NODE_COUNT: component.node_count,
            "kubeconfig": component.kubeconfig,
        }
    )


class AksCluster(pulumi.ComponentResource):
    """An AKS cluster the way Azure ML needs it: managed identity, node pools, network, API server
    access (with the Azure ML control plane admitted), monitoring and Trusted Access."""

    def __init__(
        self,
        name: str,
        cluster: AksSettings,
        *,
        facts: catalog_extension.ClusterFacts,
        resource_group_name: pulumi.Input[str],
        authorized_ranges: list[str],
        production: bool,
        container_insights: bool,
        defender: bool,
        workspace: Workspace | None = None,
        deployer_object_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """facts: the cluster's plan-time facts (the same the extension is configured with).
        deployer_object_id: the deploying identity, made cluster admin when local accounts are
        off and the stack applies its own Kubernetes objects."""
        super().__init__(tokens.AKS_CLUSTER_COMPONENT, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        subnet_id = self._subnet(name, cluster, facts.location, resource_group_name)
        logs_id = cluster.monitoring.logAnalyticsWorkspaceId
        if (container_insights or defender) and not logs_id:
            logs = operationalinsights.Workspace(
                f"{name}-logs",
                resource_group_name=resource_group_name,
                workspace_name=f"{cluster.name}-logs",
                location=facts.location,
                sku={"name": "PerGB2018"},
                retention_in_days=30,
                opts=child,
            )
            logs_id = logs.id

        # The cluster autoscaler owns the node count of autoscaled pools; Pulumi must not reset it.
        ignore = [
            f"agentPoolProfiles[{i}].count"
            for i, pool in enumerate(cluster.nodePools)
            if pool.autoscale
        ]
        identity: dict = {"type": cluster.identity.type}
        if cluster.identity.userAssignedIdentityId:
            identity["user_assigned_identities"] = {cluster.identity.userAssignedIdentityId: {}}
        entra_only = cluster.disableLocalAccounts
        managed = containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=cluster.name,
            resource_group_name=resource_group_name,
            location=facts.location,
            dns_prefix=cluster.name,
            kubernetes_version=cluster.kubernetesVersion,
            identity=identity,
            agent_pool_profiles=[_pool(pool, subnet_id) for pool in cluster.nodePools],
            enable_rbac=True,
            disable_local_accounts=entra_only,
            aad_profile={"managed": True, "enable_azure_rbac": True} if entra_only else None,
            network_profile={
                "network_plugin": cluster.network.plugin,
                "outbound_type": cluster.network.outboundType,
                "pod_cidr": cluster.network.podCidr,
                "service_cidr": cluster.network.serviceCidr,
                "dns_service_ip": cluster.network.dnsServiceIP,
                "load_balancer_sku": "standard",
            },
            api_server_access_profile={
                "authorized_ip_ranges": authorized_ranges or None,
                "enable_private_cluster": cluster.apiServer.privateCluster,
            },
            addon_profiles={
                "omsagent": {
                    "enabled": True,
                    "config": {"logAnalyticsWorkspaceResourceID": logs_id},
                }
            }
            if container_insights
            else None,
            security_profile={
                "defender": {
                    "log_analytics_workspace_resource_id": logs_id,
                    "security_monitoring": {"enabled": True},
                }
            }
            if defender
            else None,
            sku={"name": "Base", "tier": "Standard" if production else "Free"},
            # Production clusters are protected: deleting one takes every model with it.
            opts=pulumi.ResourceOptions(
                parent=self, protect=production, ignore_changes=ignore or None
            ),
        )
        bindings: list[pulumi.Resource] = []
        if entra_only and workspace is not None:
            # With local accounts off, Azure ML reaches the cluster only through Trusted Access:
            # one binding per workspace, made before any compute attach.
            bindings.append(
                containerservice.TrustedAccessRoleBinding(
                    f"{name}-trusted-access",
                    resource_group_name=resource_group_name,
                    resource_name_=cluster.name,
                    trusted_access_role_binding_name=aks.trusted_access_binding_name(
                        workspace.name
                    ),
                    source_resource_id=workspace.id,
                    roles=[aks.TRUSTED_ACCESS_ROLE],
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[managed]),
                )
            )

        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=resource_group_name,
            resource_name=cluster.name,
            # Entra ID clusters hand out an exec (kubelogin) kubeconfig, never a static token.
            format="exec" if entra_only else None,
            opts=pulumi.InvokeOutputOptions(depends_on=[managed]),
        )
        kubeconfig = pulumi.Output.secret(credentials.apply(_decode_kubeconfig))
        provider_deps: list[pulumi.Resource] = [managed]
        if entra_only and deployer_object_id:
            provider_deps.append(
                authorization.RoleAssignment(
                    f"{name}-deployer-admin",
                    scope=managed.id,
                    principal_id=deployer_object_id,
                    # A stable name: the same deployer on the same cluster is one assignment.
                    role_assignment_name=str(
                        uuid.uuid5(
                            uuid.NAMESPACE_URL,
                            f"{facts.subscription_id}/{cluster.name}/{deployer_object_id}",
                        )
                    ),
                    role_definition_id=arm.role_definition(
                        facts.subscription_id, AKS_RBAC_CLUSTER_ADMIN
                    ),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[managed]),
                )
            )
        provider = kubernetes_sdk.Provider(
            f"{name}-k8s",
            kubeconfig=kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=provider_deps),
        )
        self.handle = ClusterHandle(
            facts=facts,
            resource=managed,
            attach_after=bindings,
            kubeconfig=kubeconfig,
            provider=provider,
        )
        _register(self, self.handle)

    def _subnet(
        self,
        name: str,
        cluster: AksSettings,
        region: str,
        resource_group_name: pulumi.Input[str],
    ) -> pulumi.Input[str] | None:
        """The node subnet: the stack's existing one, a new one, or None (AKS makes its own)."""
        vnet_settings = cluster.network.vnet
        if vnet_settings is None:
            return cluster.network.subnetId
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            resource_group_name=resource_group_name,
            virtual_network_name=f"{cluster.name}-vnet",
            location=region,
            address_space={"address_prefixes": [vnet_settings.addressPrefix]},
            opts=pulumi.ResourceOptions(parent=self),
        )
        subnet = network.Subnet(
            f"{name}-subnet",
            resource_group_name=resource_group_name,
            virtual_network_name=vnet.name,
            subnet_name="nodes",
            address_prefix=vnet_settings.subnetPrefix,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return subnet.id


def _pool(pool: NodePool, subnet_id: pulumi.Input[str] | None) -> dict:
    profile = {
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
    return profile


class ArcCluster(pulumi.ComponentResource):
    """An existing Azure Arc-connected cluster, attached by id, with the Azure Relay that the
    az CLI creates for the extension."""

    def __init__(
        self,
        name: str,
        cluster: ArcSettings,
        *,
        facts: catalog_extension.ClusterFacts,
        kubeconfig: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """kubeconfig: how to reach the API server (secret); unset: Entra ID user credentials
        through Azure Arc."""
        super().__init__(tokens.ARC_CLUSTER_COMPONENT, name, None, opts)
        connected = kubernetes.ConnectedCluster.get(
            f"{name}-connected",
            cluster.connectedClusterId,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The stack declares the node count so plans are known before anything runs; at deploy
        # time the live cluster is compared with it.
        connected.total_node_count.apply(
            lambda live: _warn_if_differs("node count", cluster.nodeCount, live)
        )
        relay_outputs, rule = self._relay(name, facts)
        if kubeconfig is None:
            credentials = kubernetes.list_connected_cluster_user_credential_output(
                resource_group_name=facts.resource_group,
                cluster_name=facts.name,
                authentication_method="AAD",
                client_proxy=False,
            )
            kubeconfig = credentials.apply(_decode_kubeconfig)
        secret_kubeconfig = pulumi.Output.secret(kubeconfig)
        provider = kubernetes_sdk.Provider(
            f"{name}-k8s", kubeconfig=secret_kubeconfig, opts=pulumi.ResourceOptions(parent=self)
        )
        self.handle = ClusterHandle(
            facts=facts,
            resource=rule,
            attach_after=[],
            kubeconfig=secret_kubeconfig,
            provider=provider,
            relay=relay_outputs,
        )
        _register(self, self.handle)

    def _relay(
        self, name: str, facts: catalog_extension.ClusterFacts
    ) -> tuple[RelayOutputs, pulumi.Resource]:
        """The relay namespace, hybrid connection and auth rule, named as the az CLI names them."""
        tags = {"created_by": "Azure Arc-enabled ML"}  # the CLI's tag, so the CLI recognises them
        namespace_name = catalog_extension.relay_namespace_name(facts)
        namespace = relay.Namespace(
            f"{name}-relay",
            namespace_name=namespace_name,
            resource_group_name=facts.resource_group,
            location=facts.location,
            sku={"name": "Standard", "tier": "Standard"},
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        connection = relay.HybridConnection(
            f"{name}-relay-connection",
            hybrid_connection_name=facts.name,
            namespace_name=namespace_name,
            resource_group_name=facts.resource_group,
            requires_client_authorization=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
        )
        rule = relay.HybridConnectionAuthorizationRule(
            f"{name}-relay-rule",
            authorization_rule_name=catalog_extension.RELAY_AUTH_RULE,
            hybrid_connection_name=facts.name,
            namespace_name=namespace_name,
            resource_group_name=facts.resource_group,
            rights=list(catalog_extension.RELAY_RIGHTS),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[connection]),
        )
        keys = relay.list_hybrid_connection_keys_output(
            authorization_rule_name=catalog_extension.RELAY_AUTH_RULE,
            hybrid_connection_name=facts.name,
            namespace_name=namespace_name,
            resource_group_name=facts.resource_group,
            opts=pulumi.InvokeOutputOptions(depends_on=[rule]),
        )
        outputs = RelayOutputs(
            connection_string=pulumi.Output.secret(keys.primary_connection_string),
            hybrid_connection_id=connection.id,
        )
        return outputs, rule


def _warn_if_differs(what: str, declared, live) -> None:
    if live is not None and declared != live:
        pulumi.log.warn(
            f"the connected cluster's {what} is {live}, the stack declares {declared}: update "
            "the stack so the extension settings match"
        )
