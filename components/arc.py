"""An existing Azure Arc-connected cluster, attached the way the az CLI attaches it."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes_sdk
from pulumi_azure_native import kubernetes, relay

from catalog import extension as catalog_extension
from catalog import extension_cli, tokens
from components.cluster import (
    ClusterComponent,
    ClusterHandle,
    RelayOutputs,
    decode_kubeconfig,
)
from components.options import children_of
from stacks.settings import ArcClusterSettings


class ArcCluster(ClusterComponent):
    """An existing Azure Arc-connected cluster, attached by id, with the Azure Relay that the
    az CLI creates for the extension."""

    def __init__(
        self,
        name: str,
        cluster: ArcClusterSettings,
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
            opts=children_of(self, opts),
        )
        # The stack declares the node count so plans are known before anything runs; at deploy
        # time the live cluster is compared with it.
        connected.total_node_count.apply(
            lambda live: _warn_if_differs("node count", cluster.nodeCount, live)
        )
        relay_outputs, rule = self._relay(name, facts, opts)
        if kubeconfig is None:
            credentials = kubernetes.list_connected_cluster_user_credential_output(
                resource_group_name=facts.resource_group,
                cluster_name=facts.name,
                authentication_method="AAD",
                client_proxy=False,
            )
            kubeconfig = credentials.apply(decode_kubeconfig)
        secret_kubeconfig = pulumi.Output.secret(kubeconfig)
        provider = kubernetes_sdk.Provider(
            f"{name}-k8s", kubeconfig=secret_kubeconfig, opts=children_of(self, opts)
        )
        handle = ClusterHandle(
            facts=facts,
            resource=rule,
            attach_after=[],
            kubeconfig=secret_kubeconfig,
            provider=provider,
            relay=relay_outputs,
        )
        self._publish(handle)

    def _relay(
        self,
        name: str,
        facts: catalog_extension.ClusterFacts,
        opts: pulumi.ResourceOptions | None,
    ) -> tuple[RelayOutputs, pulumi.Resource]:
        """The relay namespace, hybrid connection and auth rule, named as the az CLI names them."""
        tags = {"created_by": "Azure Arc-enabled ML"}  # the CLI's tag, so the CLI recognises them
        namespace_name = extension_cli.relay_namespace_name(facts)
        namespace = relay.Namespace(
            f"{name}-relay",
            namespace_name=namespace_name,
            resource_group_name=facts.resource_group,
            location=facts.location,
            sku={"name": "Standard", "tier": "Standard"},
            tags=tags,
            opts=children_of(self, opts),
        )
        connection = relay.HybridConnection(
            f"{name}-relay-connection",
            hybrid_connection_name=facts.name,
            namespace_name=namespace_name,
            resource_group_name=facts.resource_group,
            requires_client_authorization=True,
            opts=children_of(self, opts, depends_on=[namespace]),
        )
        rule = relay.HybridConnectionAuthorizationRule(
            f"{name}-relay-rule",
            authorization_rule_name=catalog_extension.RELAY_AUTH_RULE,
            hybrid_connection_name=facts.name,
            namespace_name=namespace_name,
            resource_group_name=facts.resource_group,
            rights=list(catalog_extension.RELAY_RIGHTS),
            opts=children_of(self, opts, depends_on=[connection]),
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
