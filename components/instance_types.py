"""The stack's instance types as InstanceType custom resources in the cluster.

The custom resource definition comes with the Azure ML extension, so they are created after it.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes_sdk

from catalog import instance_types as catalog_instance_types
from components.manifests import KubernetesObject
from components.options import children_of
from stacks.settings.instance_types import InstanceType


class InstanceTypes(pulumi.ComponentResource):
    """One `amlarc.azureml.com/v1alpha1` InstanceType per settings entry (cluster-scoped)."""

    def __init__(
        self,
        name: str,
        instance_types: list[InstanceType],
        provider: kubernetes_sdk.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:InstanceTypes", name, None, opts)
        for item in instance_types:
            KubernetesObject(
                f"{name}-{item.name}",
                {
                    "apiVersion": catalog_instance_types.API_VERSION,
                    "kind": catalog_instance_types.KIND,
                    "metadata": {"name": item.name},
                    "spec": item.spec(),
                },
                children_of(self, opts, provider=provider),
            )
        self.names = pulumi.Output.from_input([item.name for item in instance_types])
        self.register_outputs({"names": self.names})
