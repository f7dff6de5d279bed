"""Kubernetes compute: the cluster attached to the workspace, once per namespace."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import machinelearningservices

from catalog import extension as catalog_extension
from components.cluster import ClusterHandle
from components.options import children_of
from stacks.settings import ComputeSettings, Workspace


class Compute(pulumi.ComponentResource):
    """One `computeType: Kubernetes` attach per namespace, so each team's workloads stay in its
    own namespace. (The legacy `computeType: AKS` cannot host v2 online endpoints.)"""

    def __init__(
        self,
        name: str,
        workspace: Workspace,
        computes: list[ComputeSettings],
        cluster: ClusterHandle,
        extension_principal_id: pulumi.Input[str | None],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:Compute", name, None, opts)
        self._attaches = [
            machinelearningservices.Compute(
                f"{name}-{compute.name}",
                resource_group_name=workspace.resource_group,
                workspace_name=workspace.name,
                compute_name=compute.name,
                location=cluster.facts.location,
                identity={"type": "SystemAssigned"},
                properties={
                    "compute_type": "Kubernetes",
                    "resource_id": cluster.id,
                    "properties": {
                        "namespace": compute.namespace,
                        "extension_principal_id": extension_principal_id,
                        "extension_instance_release_train": catalog_extension.RELEASE_TRAIN,
                    },
                },
                opts=children_of(self, opts),
            )
            for compute in computes
        ]
        self.ids: pulumi.Output[list[str]] = pulumi.Output.all(
            *[attach.id for attach in self._attaches]
        )
        self.register_outputs({"ids": self.ids})
