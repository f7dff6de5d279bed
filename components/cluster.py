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


def register_cluster_outputs(component: pulumi.ComponentResource, handle: ClusterHandle) -> None:
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
