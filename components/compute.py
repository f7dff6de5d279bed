"""Kubernetes compute: the cluster attached to the workspace, once per namespace."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import machinelearningservices

from catalog import extension as ext
from components.cluster import ClusterHandle
from stacks.settings import Compute as ComputeSettings
from stacks.settings import Workspace


class Compute(pulumi.ComponentResource):
    """One `computeType: Kubernetes` attach per namespace, so each team's workloads stay in its
    own namespace. (The legacy `computeType: AKS` cannot host v2 online endpoints.)"""

    def __init__(
        self,
        name: str,
        workspace: Workspace,
        computes: list[ComputeSettings],
        cluster: ClusterHandle,
        extension_principal_id: pulumi.Input[str],
        depends_on: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:Compute", name, None, opts)
        self.attaches = [
            machinelearningservices.Compute(
                f"{name}-{c.name}",
                resource_group_name=workspace.resource_group,
                workspace_name=workspace.name,
                compute_name=c.name,
                location=cluster.facts.location,
                identity={"type": "SystemAssigned"},
                properties={
                    "compute_type": "Kubernetes",
                    "resource_id": cluster.id,
                    "properties": {
                        "namespace": c.namespace,
                        "extension_principal_id": extension_principal_id,
                        "extension_instance_release_train": ext.RELEASE_TRAIN,
                    },
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
            )
            for c in computes
        ]
        self.ids = pulumi.Output.all(*[a.id for a in self.attaches])
        self.register_outputs({"ids": self.ids})
