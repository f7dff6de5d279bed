"""What every cluster component gives the rest of the platform, whatever the cluster's kind.

`AksCluster` (components.aks) and `ArcCluster` (components.arc) both give one ClusterHandle, so
everything downstream (extension, compute, manifests) is the same for either kind.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes_sdk

from catalog import extension as catalog_extension
from catalog import tokens


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


def decode_kubeconfig(result) -> str:
    """The first kubeconfig of an AKS or Arc credentials answer, decoded."""
    return base64.b64decode(result.kubeconfigs[0].value).decode()


class ClusterComponent(pulumi.ComponentResource):
    """What AksCluster and ArcCluster share: the ClusterHandle they give the platform, and the
    public outputs under the names the policy pack reads."""

    handle: ClusterHandle

    def _publish(self, handle: ClusterHandle) -> None:
        """Set the handle and every public output, and register them: the last step of both."""
        facts = handle.facts
        self.handle = handle
        self.kind = pulumi.Output.from_input(facts.kind)
        self.cluster_resource_id = pulumi.Output.from_input(facts.resource_id)
        self.cluster_name = pulumi.Output.from_input(facts.name)
        self.resource_group_name = pulumi.Output.from_input(facts.resource_group)
        self.region = pulumi.Output.from_input(facts.location)
        self.node_count = pulumi.Output.from_input(facts.node_count)
        self.kubeconfig = handle.kubeconfig
        self.register_outputs(
            {
                "kind": self.kind,
                tokens.CLUSTER_OUTPUT_RESOURCE_ID: self.cluster_resource_id,
                "clusterName": self.cluster_name,
                "resourceGroupName": self.resource_group_name,
                "region": self.region,
                tokens.CLUSTER_OUTPUT_NODE_COUNT: self.node_count,
                "kubeconfig": self.kubeconfig,
            }
        )
