"""The whole platform, composed from validated settings.

This is the one place that maps settings to component arguments: every other component takes
narrow, typed arguments.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization, resources

from catalog import extension as catalog_extension
from catalog import hosts as catalog_hosts
from components.aks import AksCluster, AksInputs
from components.arc import ArcCluster
from components.cluster import ClusterHandle
from components.compute import Attach, Compute
from components.dns import DnsRecord
from components.dns import instructions as dns_instructions
from components.endpoints import Endpoints
from components.extension import AzureMLExtension
from components.instance_types import InstanceTypes
from components.manifests import ExtraManifests
from components.network import Network
from components.tls import Tls
from stacks.settings import AksClusterSettings, ArcClusterSettings, Settings
from stacks.settings.egress import (
    firewall_public_ips,
    firewall_subnet_prefix,
    needed_rules,
    source_addresses,
)


class Platform(pulumi.ComponentResource):
    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("azureml-k8s:index:Platform", name, None, opts)
        self._name, self._settings = name, settings
        # The egress rules, for the firewall and as an output (on Arc, for the site's proxy).
        egress_rules = needed_rules(settings) if settings.egress else []
        if isinstance(settings.cluster, AksClusterSettings):
            handle = self._aks(settings.cluster, egress_rules)
        else:
            handle = self._arc(settings.cluster)
        extension = self._extension(handle)
        compute = self._compute(handle, extension)
        self._endpoints(handle, extension, compute)
        if settings.extraManifests:
            ExtraManifests(
                f"{name}-manifests",
                settings.extraManifests,
                handle.provider,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[extension.resource]),
            )
        self.dns_record = self._dns(handle, extension)
        self.egress_rules = pulumi.Output.from_input([rule.as_json() for rule in egress_rules])
        self.cluster_id = pulumi.Output.from_input(handle.id)
        self.cluster_name = pulumi.Output.from_input(handle.facts.name)
        self.region = pulumi.Output.from_input(handle.facts.location)
        self.node_count = pulumi.Output.from_input(handle.facts.node_count)
        self.extension_id = extension.id
        self.extension_principal_id = extension.principal_id
        self.compute_ids = compute.ids if compute else pulumi.Output.from_input([])
        self.kubeconfig = handle.kubeconfig
        self.register_outputs(
            {
                "scoringUris": self.scoring_uris,
                "endpointKeys": self.endpoint_keys,
                "scaling": self.scaling,
                "clusterId": self.cluster_id,
                "clusterName": self.cluster_name,
                "region": self.region,
                "nodeCount": self.node_count,
                "extensionId": self.extension_id,
                "extensionPrincipalId": self.extension_principal_id,
                "computeIds": self.compute_ids,
                "kubeconfig": self.kubeconfig,
                "egressRules": self.egress_rules,
                "dnsRecord": self.dns_record,
            }
        )

    def _extension(self, handle: ClusterHandle) -> AzureMLExtension:
        """The extension, after the TLS Secret when the stack makes one."""
        settings = self._settings
        pem = None
        if settings.sslCertPem is not None and settings.sslKeyPem is not None:
            pem = (settings.sslCertPem.get_secret_value(), settings.sslKeyPem.get_secret_value())
        extension_opts = pulumi.ResourceOptions(parent=self)
        if settings.tls is not None:
            # The Secret first; the extension then refers to it by name (sslSecret) instead of
            # carrying the PEM pair in protected settings.
            tls = self._tls(handle, pem)
            pem = None
            extension_opts = pulumi.ResourceOptions(parent=self, depends_on=[tls.resource])
        cluster = settings.cluster
        return AzureMLExtension(
            f"{self._name}-ml",
            settings.extension,
            handle,
            pem=pem,
            legacy_v1_flow=isinstance(cluster, AksClusterSettings) and cluster.legacyV1Flow,
            opts=extension_opts,
        )

    def _tls(self, handle: ClusterHandle, pem: tuple[str, str] | None) -> Tls:
        settings = self._settings
        extension, tls = settings.extension, settings.tls
        assert extension.sslSecret and extension.sslCname and tls  # tls rules
        return Tls(
            f"{self._name}-tls",
            extension.sslSecret,
            extension.sslCname,
            handle.provider,
            pem=pem if tls.source == "secretConfig" else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[handle.resource]),
        )

    def _compute(self, handle: ClusterHandle, extension: AzureMLExtension) -> Compute | None:
        settings = self._settings
        attaches = [
            Attach(compute, workspace)
            for compute in settings.computes
            if (workspace := settings.workspace_of(compute)) is not None
        ]
        if not attaches:
            return None
        cluster = settings.cluster
        return Compute(
            f"{self._name}-compute",
            attaches,
            handle,
            extension.principal_id,
            namespaces=settings.namespaces_to_create(),
            trusted_access=isinstance(cluster, AksClusterSettings) and cluster.disableLocalAccounts,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[extension.resource, *handle.attach_after]
            ),
        )

    def _endpoints(
        self, handle: ClusterHandle, extension: AzureMLExtension, compute: Compute | None
    ) -> None:
        """Instance types (their CRD comes with the extension), then the endpoints on the
        computes; sets the endpoint outputs on every path."""
        settings, name = self._settings, self._name
        waits: list[pulumi.Resource] = [extension.resource]
        if settings.instanceTypes:
            waits.append(
                InstanceTypes(
                    f"{name}-instance-types",
                    settings.instanceTypes,
                    handle.provider,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[extension.resource]),
                )
            )
        self.scoring_uris: pulumi.Output[dict] = pulumi.Output.from_input({})
        self.endpoint_keys: pulumi.Output[dict] = pulumi.Output.secret({})
        self.scaling: pulumi.Output[dict] = pulumi.Output.from_input({})
        if not settings.endpoints:
            return
        assert compute is not None  # endpoint rules: every endpoint's compute is attached
        ids: dict[str, pulumi.Input[str]] = {
            attach.name: compute.ids.apply(_item(i)) for i, attach in enumerate(settings.computes)
        }
        workspaces = {c.name: w for c in settings.computes if (w := settings.workspace_of(c))}
        endpoints = Endpoints(
            f"{name}-endpoints",
            workspaces,
            settings.endpoints,
            ids,
            settings.region,
            settings.extension.sslCname if settings.extension.https else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*waits, compute]),
        )
        self.scoring_uris = endpoints.scoring_uris
        self.endpoint_keys = endpoints.keys
        self.scaling = endpoints.scaling

    def _dns(self, handle: ClusterHandle, extension: AzureMLExtension) -> pulumi.Output:
        """The record for sslCname, which follows the router's Service the extension creates;
        without a zone, what to do by hand."""
        settings = self._settings
        cname = settings.extension.sslCname
        if settings.dns is None or not cname:
            return pulumi.Output.from_input(dns_instructions(cname))
        record = DnsRecord(
            f"{self._name}-dns",
            settings.dns,
            cname,
            handle.provider,
            handle.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[extension.resource]),
        )
        return pulumi.Output.concat(
            "A ", cname, " in zone ", settings.dns.zone, " (", record.record_id, ")"
        )

    def _aks(
        self, cluster: AksClusterSettings, egress_rules: list[catalog_hosts.Rule]
    ) -> ClusterHandle:
        settings, name = self._settings, self._name
        group_name = cluster.resourceGroup or f"rg-{cluster.name}"
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=group_name,
            location=settings.region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The deploying identity needs cluster-admin to apply the stack's own objects when local
        # accounts are off; the client config is read once, and only when something needs it.
        needs_deployer = cluster.disableLocalAccounts and bool(
            settings.extraManifests or settings.instanceTypes or settings.tls
        )
        client = (
            authorization.get_client_config()
            if needs_deployer or not settings.subscriptionId
            else None
        )
        subscription_id = settings.subscriptionId
        if subscription_id is None:
            assert client is not None  # read above when the stack names no subscription
            subscription_id = client.subscription_id
        facts = catalog_extension.ClusterFacts(
            "aks", subscription_id, group_name, cluster.name, settings.region, cluster.node_count
        )
        subnet_id, network, egress_ips = self._network(cluster, group, egress_rules)
        # With the firewall the nodes reach the API server from its public IPs: admit them
        # (Learn "Secure access to the API server using authorized IP address ranges in AKS":
        # include the cluster egress IP, firewall or other, depending on the outbound type).
        ranges = settings.authorized_ranges()
        authorized: list[pulumi.Input[str]] = [
            *ranges,
            *(egress_ips if cluster.apiServer.restricted else []),
        ]
        component = AksCluster(
            f"{name}-aks",
            cluster,
            AksInputs(
                facts=facts,
                resource_group_name=group.name,
                subnet_id=subnet_id,
                authorized_ranges=authorized,
                production=settings.prod,
                container_insights=settings.container_insights(),
                defender=settings.defender(),
            ),
            workspaces=settings.attached_workspaces(),
            deployer_object_id=client.object_id if needs_deployer and client else None,
            # The cluster comes after the route table and the firewall's rules.
            opts=pulumi.ResourceOptions(parent=self, depends_on=network),
        )
        return component.handle

    def _network(
        self,
        cluster: AksClusterSettings,
        group: resources.ResourceGroup,
        egress_rules: list[catalog_hosts.Rule],
    ) -> tuple[pulumi.Input[str | None], list[pulumi.Resource], list[pulumi.Output[str]]]:
        """The node subnet, what the cluster waits for, and the firewall's public IPs (as /32).
        A Network component only when there is network to make (a new VNet, egress rules); an
        existing subnet is used as is."""
        settings = self._settings
        egress = settings.egress if settings.egress and settings.egress.firewall else None
        if cluster.network.vnet is None and egress is None:
            return cluster.network.subnetId, [], []
        net = Network(
            f"{self._name}-net",
            cluster.network,
            cluster_name=cluster.name,
            region=settings.region,
            resource_group_name=group.name,
            egress=egress,
            rules=egress_rules,
            source_addresses=source_addresses(settings),
            firewall_subnet_prefix=firewall_subnet_prefix(settings),
            firewall_public_ips=max(1, firewall_public_ips(settings)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return net.subnet_id, [net], net.firewall_public_ips

    def _arc(self, cluster: ArcClusterSettings) -> ClusterHandle:
        settings = self._settings
        arm_id = cluster.arm_id
        facts = catalog_extension.ClusterFacts(
            "arc",
            arm_id.subscription_id,
            arm_id.resource_group,
            arm_id.name,
            settings.region,
            cluster.node_count,
            cluster.distribution or "",
        )
        kubeconfig = (
            pulumi.Output.secret(settings.kubeconfig.get_secret_value())
            if settings.kubeconfig is not None
            else None
        )
        component = ArcCluster(
            f"{self._name}-arc",
            cluster,
            facts=facts,
            kubeconfig=kubeconfig,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return component.handle


def _item(index: int):
    """The id at `index` of the computes' ids, for an apply."""

    def pick(ids: list[str]) -> str:
        return ids[index]

    return pick
