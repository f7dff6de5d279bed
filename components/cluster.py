"""The Kubernetes cluster Azure ML runs on: a new AKS cluster, or an existing Arc-connected one.

Both give one ClusterHandle, so everything downstream (extension, compute, manifests) is the same
for either kind.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import (
    authorization,
    containerservice,
    kubernetes,
    network,
    operationalinsights,
    relay,
)

from catalog import aks
from catalog import extension as ext
from stacks.settings import AksCluster as AksSettings
from stacks.settings import ArcCluster as ArcSettings
from stacks.settings import Settings

# Built-in role "Azure Kubernetes Service RBAC Cluster Admin" (Microsoft Learn, "Azure built-in
# roles"): lets the deploying identity apply in-cluster objects when local accounts are off.
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"


@dataclass(frozen=True)
class ClusterHandle:
    """What the rest of the platform needs to know about the cluster, whatever its kind."""

    kind: str  # "aks" | "arc"
    facts: ext.ClusterFacts  # id, names, region and node count, all known at plan time
    resource: pulumi.Resource  # the resource the extension must wait for
    kubeconfig: pulumi.Output[str]  # secret
    provider: k8s.Provider
    relay: dict[str, pulumi.Output[str]] | None = None  # Arc: connectionString, hybridConnectionId

    @property
    def id(self) -> str:
        return self.facts.resource_id


def subscription_id(settings: Settings) -> str:
    """The subscription the stack deploys to: from config, else from the signed-in identity."""
    if settings.subscriptionId:
        return settings.subscriptionId
    return authorization.get_client_config().subscription_id


def _decode_kubeconfig(result) -> str:
    return base64.b64decode(result.kubeconfigs[0].value).decode()


class AksCluster(pulumi.ComponentResource):
    """An AKS cluster the way Azure ML needs it: managed identity, node pools, network, API server
    access (with the Azure ML control plane admitted), monitoring and Trusted Access."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        resource_group: pulumi.Resource,
        resource_group_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:AksCluster", name, None, opts)
        c = settings.cluster
        assert isinstance(c, AksSettings)
        child = pulumi.ResourceOptions(parent=self, depends_on=[resource_group])
        sub = subscription_id(settings)

        subnet_id: pulumi.Input[str] | None = c.network.subnetId
        if c.network.vnet is not None:
            vnet = network.VirtualNetwork(
                f"{name}-vnet",
                resource_group_name=resource_group_name,
                virtual_network_name=f"{c.name}-vnet",
                location=settings.region,
                address_space={"address_prefixes": [c.network.vnet.addressPrefix]},
                opts=child,
            )
            subnet = network.Subnet(
                f"{name}-subnet",
                resource_group_name=resource_group_name,
                virtual_network_name=f"{c.name}-vnet",
                subnet_name="nodes",
                address_prefix=c.network.vnet.subnetPrefix,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[vnet]),
            )
            subnet_id = subnet.id

        workspace_id = c.monitoring.logAnalyticsWorkspaceId
        if (settings.container_insights() or settings.defender()) and not workspace_id:
            logs = operationalinsights.Workspace(
                f"{name}-logs",
                resource_group_name=resource_group_name,
                workspace_name=f"{c.name}-logs",
                location=settings.region,
                sku={"name": "PerGB2018"},
                retention_in_days=30,
                opts=child,
            )
            workspace_id = logs.id

        pools = [self._pool(p, subnet_id) for p in c.nodePools]
        # The cluster autoscaler owns the node count of autoscaled pools; Pulumi must not reset it.
        ignore = [f"agentPoolProfiles[{i}].count" for i, p in enumerate(c.nodePools) if p.autoscale]
        ranges = settings.authorized_ranges()
        identity: dict = {"type": c.identity.type}
        if c.identity.userAssignedIdentityId:
            identity["user_assigned_identities"] = {c.identity.userAssignedIdentityId: {}}

        self.cluster = containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=c.name,
            resource_group_name=resource_group_name,
            location=settings.region,
            dns_prefix=c.name,
            kubernetes_version=c.kubernetesVersion,
            identity=identity,
            agent_pool_profiles=pools,
            enable_rbac=True,
            disable_local_accounts=c.disableLocalAccounts,
            aad_profile={"managed": True, "enable_azure_rbac": True}
            if c.disableLocalAccounts
            else None,
            network_profile={
                "network_plugin": c.network.plugin,
                "outbound_type": c.network.outboundType,
                "pod_cidr": c.network.podCidr,
                "service_cidr": c.network.serviceCidr,
                "dns_service_ip": c.network.dnsServiceIP,
                "load_balancer_sku": "standard",
            },
            api_server_access_profile={
                "authorized_ip_ranges": ranges or None,
                "enable_private_cluster": c.apiServer.privateCluster,
            },
            addon_profiles={
                "omsagent": {
                    "enabled": True,
                    "config": {"logAnalyticsWorkspaceResourceID": workspace_id},
                }
            }
            if settings.container_insights()
            else None,
            security_profile={
                "defender": {
                    "log_analytics_workspace_resource_id": workspace_id,
                    "security_monitoring": {"enabled": True},
                }
            }
            if settings.defender()
            else None,
            sku={"name": "Base", "tier": "Standard" if settings.prod else "Free"},
            # Production clusters are protected: deleting one takes every model with it.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[resource_group],
                protect=settings.prod,
                ignore_changes=ignore or None,
            ),
        )

        if c.disableLocalAccounts and settings.workspace is not None:
            # With local accounts off, Azure ML reaches the cluster only through Trusted Access:
            # one binding per workspace, made before any compute attach.
            ws = settings.workspace
            self.trusted_access = [
                containerservice.TrustedAccessRoleBinding(
                    f"{name}-trusted-access",
                    resource_group_name=resource_group_name,
                    resource_name_=c.name,
                    trusted_access_role_binding_name=f"azureml-{ws.name}"[:24].rstrip("-").lower(),
                    source_resource_id=ws.id,
                    roles=[aks.TRUSTED_ACCESS_ROLE],
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.cluster]),
                )
            ]
        else:
            self.trusted_access = []

        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=resource_group_name,
            resource_name=c.name,
            # Entra ID clusters hand out an exec (kubelogin) kubeconfig, never a static token.
            format="exec" if c.disableLocalAccounts else None,
            opts=pulumi.InvokeOutputOptions(depends_on=[self.cluster]),
        )
        self.kubeconfig = pulumi.Output.secret(credentials.apply(_decode_kubeconfig))
        k8s_deps: list[pulumi.Resource] = [self.cluster]
        if c.disableLocalAccounts and settings.extraManifests:
            client = authorization.get_client_config()
            k8s_deps.append(
                authorization.RoleAssignment(
                    f"{name}-deployer-admin",
                    scope=self.cluster.id,
                    principal_id=client.object_id,
                    role_assignment_name=str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"{sub}/{c.name}/{client.object_id}")
                    ),
                    role_definition_id=f"/subscriptions/{sub}/providers/Microsoft.Authorization/"
                    f"roleDefinitions/{AKS_RBAC_CLUSTER_ADMIN}",
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.cluster]),
                )
            )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=k8s_deps),
        )
        self.handle = ClusterHandle(
            kind="aks",
            facts=ext.ClusterFacts(
                "aks", sub, resource_group_name, c.name, settings.region, c.node_count
            ),
            resource=self.cluster,
            kubeconfig=self.kubeconfig,
            provider=self.provider,
        )
        self.register_outputs(_handle_outputs(self.handle))

    @staticmethod
    def _pool(p, subnet_id) -> dict:
        pool = {
            "name": p.name,
            "mode": p.mode,
            "vm_size": p.vmSize,
            "os_type": "Linux",
            "type": "VirtualMachineScaleSets",
            "vnet_subnet_id": subnet_id,
            "node_labels": p.labels or None,
            "node_taints": p.taints or None,
            "availability_zones": p.availabilityZones or None,
            "max_pods": p.maxPods,
            "os_disk_size_gb": p.osDiskSizeGB,
        }
        if p.autoscale:
            pool.update(
                enable_auto_scaling=True,
                min_count=p.minCount,
                max_count=p.maxCount,
                count=p.minCount,
            )
        else:
            pool.update(enable_auto_scaling=False, count=p.count)
        return pool


class ArcCluster(pulumi.ComponentResource):
    """An existing Azure Arc-connected cluster, attached by id, with the Azure Relay that the
    az CLI creates for the extension."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        kubeconfig: pulumi.Output[str] | None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:ArcCluster", name, None, opts)
        c = settings.cluster
        assert isinstance(c, ArcSettings)
        facts = ext.ClusterFacts(
            "arc",
            c.subscription_id,
            c.resource_group,
            c.name,
            settings.region,
            c.node_count,
            c.distribution or "",
        )
        self.connected = kubernetes.ConnectedCluster.get(
            f"{name}-connected", c.connectedClusterId, opts=pulumi.ResourceOptions(parent=self)
        )
        # The stack declares the node count so plans are known before anything runs; at deploy
        # time the live cluster is compared with it.
        self.connected.total_node_count.apply(
            lambda live: _warn_if_differs("node count", c.nodeCount, live)
        )

        child = pulumi.ResourceOptions(parent=self)
        tags = {"created_by": "Azure Arc-enabled ML"}  # the CLI's tag, so the CLI recognises them
        namespace_name = ext.relay_namespace_name(facts)
        namespace = relay.Namespace(
            f"{name}-relay",
            namespace_name=namespace_name,
            resource_group_name=c.resource_group,
            location=settings.region,
            sku={"name": "Standard", "tier": "Standard"},
            tags=tags,
            opts=child,
        )
        connection = relay.HybridConnection(
            f"{name}-relay-connection",
            hybrid_connection_name=c.name,
            namespace_name=namespace_name,
            resource_group_name=c.resource_group,
            requires_client_authorization=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
        )
        rule = relay.HybridConnectionAuthorizationRule(
            f"{name}-relay-rule",
            authorization_rule_name=ext.RELAY_AUTH_RULE,
            hybrid_connection_name=c.name,
            namespace_name=namespace_name,
            resource_group_name=c.resource_group,
            rights=list(ext.RELAY_RIGHTS),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[connection]),
        )
        keys = relay.list_hybrid_connection_keys_output(
            authorization_rule_name=ext.RELAY_AUTH_RULE,
            hybrid_connection_name=c.name,
            namespace_name=namespace_name,
            resource_group_name=c.resource_group,
            opts=pulumi.InvokeOutputOptions(depends_on=[rule]),
        )
        relay_values = {
            "connectionString": pulumi.Output.secret(keys.primary_connection_string),
            "hybridConnectionId": connection.id,
        }

        if kubeconfig is None:
            credentials = kubernetes.list_connected_cluster_user_credential_output(
                resource_group_name=c.resource_group,
                cluster_name=c.name,
                authentication_method="AAD",
                client_proxy=False,
            )
            kubeconfig = credentials.apply(_decode_kubeconfig)
        self.kubeconfig = pulumi.Output.secret(kubeconfig)
        self.provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        self.handle = ClusterHandle(
            kind="arc",
            facts=facts,
            resource=rule,
            kubeconfig=self.kubeconfig,
            provider=self.provider,
            relay=relay_values,
        )
        self.register_outputs(_handle_outputs(self.handle))


def _warn_if_differs(what: str, declared, live) -> None:
    if live is not None and declared != live:
        pulumi.log.warn(
            f"the connected cluster's {what} is {live}, the stack declares "
            f"{declared}: update the stack so the extension settings match"
        )


def _handle_outputs(handle: ClusterHandle) -> dict:
    # Read by the policy pack: the Arc cluster is only read by Pulumi, never shown to policies, so
    # its node count travels on this component.
    return {
        "kind": handle.kind,
        "clusterResourceId": handle.id,
        "name": handle.facts.name,
        "resourceGroupName": handle.facts.resource_group,
        "region": handle.facts.location,
        "nodeCount": handle.facts.node_count,
    }
