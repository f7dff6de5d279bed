"""The Azure ML extension, installed exactly as `az k8s-extension create` would install it."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import kubernetesconfiguration

from catalog import extension as ext
from components.cluster import ClusterHandle
from stacks.settings import Extension as ExtensionSettings

# Stand-ins for the relay's values, which exist only once the relay does; swapped for the real
# outputs after the CLI's rules have run on plain strings.
_RELAY_STAND_INS = {
    "connectionString": "<relay-connection-string>",
    "hybridConnectionId": "<relay-hybrid-connection-id>",
}


class AzureMLExtension(pulumi.ComponentResource):
    """`Microsoft.AzureML.Kubernetes` on the cluster: the stack's documented settings, validated,
    rewritten to the internal keys and filled in with the cluster's facts as the az CLI does."""

    def __init__(
        self,
        name: str,
        settings: ExtensionSettings,
        cluster: ClusterHandle,
        pem: tuple[str, str] | None = None,
        legacy_v1_flow: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:AzureMLExtension", name, None, opts)
        if legacy_v1_flow:
            pulumi.log.warn(
                "this cluster was set up with the Azure ML v1 flow: remove the legacy "
                'azureml-fe first or the install fails with E45005 "Azureml Fe '
                'deployment conflict" (Azure/AML-Kubernetes #293)',
                resource=self,
            )

        # The CLI takes PEM files by path and sends the paths too; PEM from secret config takes
        # the same route under stand-in paths, which are then left out.
        paths = settings.cli_protected_paths()
        protected_in = paths or ({k: f"<{k}>" for k in ext.PROTECTED_SETTINGS} if pem else {})
        config, protected = ext.cli_configuration(
            settings.cli_settings(),
            protected_in,
            cluster.facts,
            pem=dict(zip(ext.PROTECTED_SETTINGS, pem)) if pem else None,
            relay=_RELAY_STAND_INS if cluster.relay else None,
        )
        if not paths:
            for key in ext.PROTECTED_SETTINGS:
                protected.pop(key, None)
        # Protected settings are write-only in ARM and replaced wholesale on every update: they are
        # recomputed and re-sent in full on each run, each one a secret.
        config_inputs: dict[str, pulumi.Input[str]] = dict(config)
        protected_inputs: dict[str, pulumi.Input[str]] = {}
        for key, value in protected.items():
            protected_inputs[key] = pulumi.Output.secret(_relay_value(value, cluster))
        for key, value in config.items():
            config_inputs[key] = _relay_value(value, cluster)

        rp, resource = ext.CLUSTER_RP[cluster.kind]
        self.extension = kubernetesconfiguration.Extension(
            f"{name}-extension",
            extension_name=settings.name,
            cluster_name=cluster.facts.name,
            cluster_resource_name=resource,
            cluster_rp=rp,
            resource_group_name=cluster.facts.resource_group,
            extension_type=ext.EXTENSION_TYPE,
            auto_upgrade_minor_version=settings.autoUpgradeMinorVersion,
            release_train=settings.releaseTrain,
            version=settings.version,
            scope={"cluster": {"release_namespace": ext.RELEASE_NAMESPACE}},
            configuration_settings=config_inputs,
            configuration_protected_settings=protected_inputs or None,
            # On AKS the extension's identity is assigned by AKS (aksAssignedIdentity); elsewhere
            # the CLI asks for a system-assigned one.
            identity={"type": "SystemAssigned"} if cluster.kind != "aks" else None,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[cluster.resource],
                additional_secret_outputs=["configurationProtectedSettings"],
            ),
        )

        self.id = self.extension.id
        identity = (
            self.extension.aks_assigned_identity
            if cluster.kind == "aks"
            else self.extension.identity
        )
        self.principal_id = identity.apply(lambda i: i.principal_id if i else None)
        self.configuration = config
        self.register_outputs({"id": self.id, "principalId": self.principal_id})


def _relay_value(value: str, cluster: ClusterHandle) -> pulumi.Input[str]:
    if cluster.relay:
        for key, stand_in in _RELAY_STAND_INS.items():
            if value == stand_in:
                return cluster.relay[key]
    return value
