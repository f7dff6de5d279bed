"""The Azure ML extension, installed exactly as `az k8s-extension create` would install it."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import kubernetesconfiguration

from catalog import extension as catalog_extension
from catalog import extension_cli
from components.cluster import ClusterHandle
from components.options import children_of
from stacks.settings import ExtensionSettings


def _configuration(
    settings: ExtensionSettings, cluster: ClusterHandle, pem: tuple[str, str] | None
) -> tuple[dict[str, str], dict[str, pulumi.Input[str]]]:
    """The configuration and protected settings the az CLI would send, the latter as secrets."""
    relay = cluster.relay
    config, protected = extension_cli.cli_configuration(
        settings.cli_settings(),
        settings.cli_protected_paths(),
        cluster.facts,
        pem=dict(zip(catalog_extension.PROTECTED_SETTINGS, pem)) if pem else None,
        relay={
            "connectionString": relay.connection_string,
            "hybridConnectionId": relay.hybrid_connection_id,
        }
        if relay
        else None,
    )
    # Protected settings are write-only in ARM and replaced wholesale on every update: they are
    # recomputed and re-sent in full on each run, each one a secret.
    return config, {key: pulumi.Output.secret(value) for key, value in protected.items()}


class AzureMLExtension(pulumi.ComponentResource):
    """`Microsoft.AzureML.Kubernetes` on the cluster: the stack's documented settings, validated,
    rewritten to the internal keys and filled in with the cluster's facts as the az CLI does."""

    def __init__(
        self,
        name: str,
        settings: ExtensionSettings,
        cluster: ClusterHandle,
        *,
        pem: tuple[str, str] | None = None,
        legacy_v1_flow: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """pem: the router's certificate and key (the files' contents, or secret config).
        legacy_v1_flow: the cluster still runs the v1 azureml-fe (warned about, see E45005)."""
        super().__init__("azureml-k8s:index:AzureMLExtension", name, None, opts)
        if legacy_v1_flow:
            pulumi.log.warn(
                "this cluster was set up with the Azure ML v1 flow: remove the legacy azureml-fe "
                'first or the install fails with E45005 "Azureml Fe deployment conflict" '
                "(Azure/AML-Kubernetes #293)",
                resource=self,
            )
        config, protected_inputs = _configuration(settings, cluster, pem)
        rp, resource = catalog_extension.CLUSTER_RP[cluster.facts.kind]
        scope: kubernetesconfiguration.ScopeArgsDict = {
            "cluster": {"release_namespace": catalog_extension.RELEASE_NAMESPACE}
        }
        # On AKS the extension's identity is assigned by AKS (aksAssignedIdentity); elsewhere
        # the CLI asks for a system-assigned one.
        wanted: kubernetesconfiguration.IdentityArgsDict | None = None
        if cluster.facts.kind != "aks":
            wanted = {"type": kubernetesconfiguration.ResourceIdentityType.SYSTEM_ASSIGNED}
        self._extension = kubernetesconfiguration.Extension(
            f"{name}-extension",
            extension_name=settings.name,
            cluster_name=cluster.facts.name,
            cluster_resource_name=resource,
            cluster_rp=rp,
            resource_group_name=cluster.facts.resource_group,
            extension_type=catalog_extension.EXTENSION_TYPE,
            auto_upgrade_minor_version=settings.autoUpgradeMinorVersion,
            release_train=settings.releaseTrain,
            version=settings.version,
            scope=scope,
            configuration_settings=config,
            configuration_protected_settings=protected_inputs or None,
            identity=wanted,
            # Waits for the cluster and for what the component was told to wait for (the TLS
            # Secret azureml-fe reads).
            opts=children_of(
                self,
                opts,
                depends_on=[cluster.resource],
                additional_secret_outputs=["configurationProtectedSettings"],
            ),
        )
        self.id = self._extension.id
        assigned = (
            self._extension.aks_assigned_identity
            if cluster.facts.kind == "aks"
            else self._extension.identity
        )
        self.principal_id = assigned.apply(lambda i: i.principal_id if i else None)
        self.register_outputs({"id": self.id, "principalId": self.principal_id})

    @property
    def resource(self) -> pulumi.Resource:
        """The extension resource, for dependents that must wait for the install."""
        return self._extension
