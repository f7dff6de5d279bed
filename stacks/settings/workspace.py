"""`azureml-k8s:workspace` and `computes`: where the cluster is attached."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from catalog import arm, naming
from catalog.kubernetes import DEFAULT_NAMESPACE
from stacks.settings.base import Model, dns_label, parsed_id, resource_id

# Naming rules (Learn "Naming rules and restrictions for Azure resources").
_STORAGE_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
_REGISTRY = re.compile(r"[A-Za-z0-9]{5,50}")


class Workspace(Model):
    """The Azure ML workspace the cluster is attached to."""

    id: str = Field(description="The workspace's resource id.", examples=[arm.WORKSPACE.example])
    storageAccount: str | None = Field(
        None,
        description="The workspace's storage account name, for egress rules (the workspace's "
        "Overview page shows it); required with egress.firewall.",
        examples=["mlwprodstore"],
    )
    containerRegistry: str | None = Field(
        None,
        description="The workspace's container registry name, for egress rules; required with "
        "egress.firewall.",
        examples=["mlwprodacr"],
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return resource_id(value, arm.WORKSPACE, "workspace.id")

    @field_validator("storageAccount")
    @classmethod
    def _storage(cls, value: str | None) -> str | None:
        if value is not None and not _STORAGE_ACCOUNT.fullmatch(value):
            raise ValueError(
                f"'{value}' is not a storage account name: 3 to 24 lowercase letters and digits"
            )
        return value

    @field_validator("containerRegistry")
    @classmethod
    def _registry(cls, value: str | None) -> str | None:
        if value is not None and not _REGISTRY.fullmatch(value):
            raise ValueError(
                f"'{value}' is not a container registry name: 5 to 50 letters and digits"
            )
        return value

    @property
    def arm_id(self) -> arm.ResourceId:
        return parsed_id(self.id, arm.WORKSPACE)

    @property
    def name(self) -> str:
        return self.arm_id.name

    @property
    def resource_group(self) -> str:
        return self.arm_id.resource_group

    @property
    def subscription_id(self) -> str:
        return self.arm_id.subscription_id


class ComputeSettings(Model):
    """One Kubernetes compute attach: the cluster seen by the workspace through one namespace."""

    name: str = Field(
        description=f"Compute name: {naming.KUBERNETES_COMPUTE.text}.",
        examples=["k8s-team-a"],
    )
    namespace: str = Field(
        DEFAULT_NAMESPACE, description="Kubernetes namespace of this attach's workloads."
    )
    instanceTypes: list[str] = Field(
        [],
        description="Instance types (instanceTypes[].name) this compute offers its deployments; "
        "empty: any of the stack's.",
        examples=[["cpu-small", "gpu-a100"]],
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        problem = naming.KUBERNETES_COMPUTE.problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return dns_label(value, "Kubernetes namespace name")
