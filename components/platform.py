"""The whole platform, composed from validated settings."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import resources

from components.cluster import AksCluster, ArcCluster
from components.compute import Compute
from components.extension import AzureMLExtension
from components.manifests import ExtraManifests
from stacks.settings import AksCluster as AksSettings
from stacks.settings import Settings


class Platform(pulumi.ComponentResource):
    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("azureml-k8s:index:Platform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        c = settings.cluster
        pem = None
        if settings.sslCertPem is not None and settings.sslKeyPem is not None:
            pem = (settings.sslCertPem.get_secret_value(), settings.sslKeyPem.get_secret_value())
        kubeconfig = (
            pulumi.Output.secret(settings.kubeconfig.get_secret_value())
            if settings.kubeconfig is not None
            else None
        )

        if isinstance(c, AksSettings):
            rg_name = c.resourceGroup or f"rg-{c.name}"
            group = resources.ResourceGroup(
                f"{name}-rg", resource_group_name=rg_name, location=settings.region, opts=child
            )
            cluster = AksCluster(f"{name}-aks", settings, group, rg_name, opts=child)
            trusted_access = cluster.trusted_access
        else:
            cluster = ArcCluster(f"{name}-arc", settings, kubeconfig, opts=child)
            trusted_access = []
        handle = cluster.handle

        extension = AzureMLExtension(
            f"{name}-ml",
            settings.extension,
            handle,
            pem=pem,
            legacy_v1_flow=isinstance(c, AksSettings) and c.legacyV1Flow,
            opts=child,
        )

        compute_ids: pulumi.Output = pulumi.Output.from_input([])
        if settings.workspace is not None and settings.computes:
            compute = Compute(
                f"{name}-compute",
                settings.workspace,
                settings.computes,
                handle,
                extension.principal_id,
                depends_on=[extension.extension, *trusted_access],
                opts=child,
            )
            compute_ids = compute.ids
        if settings.extraManifests:
            ExtraManifests(
                f"{name}-manifests",
                settings.extraManifests,
                handle.provider,
                depends_on=[extension.extension],
                opts=child,
            )

        self.cluster_id = pulumi.Output.from_input(handle.id)
        self.cluster_name = pulumi.Output.from_input(handle.facts.name)
        self.region = pulumi.Output.from_input(handle.facts.location)
        self.node_count = pulumi.Output.from_input(handle.facts.node_count)
        self.extension_id = extension.id
        self.extension_principal_id = extension.principal_id
        self.compute_ids = compute_ids
        self.kubeconfig = handle.kubeconfig
        self.register_outputs(
            {
                "clusterId": self.cluster_id,
                "extensionId": self.extension_id,
                "computeIds": self.compute_ids,
            }
        )
