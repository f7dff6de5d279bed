"""`azureml-k8s:workspace` (or `workspaces`) and `computes`: where the cluster is attached.

One workspace (`workspace`), or several on the same cluster (`workspaces`, each with a local
`name` that computes name in `computes[].workspace`). Each compute is one attach of the cluster to
its workspace, through its own namespace (Learn "Introduction to Kubernetes compute target in
Azure Machine Learning": a cluster can be attached several times, to one workspace or several).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from catalog import aks, arm, naming
from catalog.kubernetes import DEFAULT_NAMESPACE
from stacks.settings.base import Model, dns_label, parsed_id, resource_id
from stacks.settings.errors import Problem

if TYPE_CHECKING:
    from stacks.settings.stack import Settings

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

    principalId: str | None = Field(
        None,
        description="The object (principal) id of the workspace's user-assigned managed "
        "identity: the stack grants it the roles an attach needs (Reader, Kubernetes Extension "
        "Contributor and Azure Kubernetes Service Cluster Admin on the cluster; Contributor with "
        "Trusted Access; Azure Relay Owner on Arc). Unset: the workspace's system-assigned "
        "identity, which Azure ML grants itself.",
        examples=["00000000-0000-0000-0000-000000000000"],
    )

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return resource_id(value, arm.WORKSPACE, "workspace.id")

    @field_validator("principalId")
    @classmethod
    def _principal(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(arm.GUID, value):
            raise ValueError(f"'{value}' is not a principal id (a GUID, the identity's object id)")
        return value

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
    def workspace_name(self) -> str:
        """The workspace's own name, from its id."""
        return self.arm_id.name

    @property
    def local_name(self) -> str | None:
        """The stack's name for it (workspaces[].name); None for the one `workspace`."""
        return None

    @property
    def resource_group(self) -> str:
        return self.arm_id.resource_group

    @property
    def subscription_id(self) -> str:
        return self.arm_id.subscription_id


class NamedWorkspace(Workspace):
    """One of several workspaces attached to the cluster, by a name local to the stack."""

    name: str = Field(
        description="The stack's name for it, which computes[].workspace uses (lowercase "
        "letters, digits and '-').",
        examples=["fraud"],
    )

    @field_validator("name")
    @classmethod
    def _local_name(cls, value: str) -> str:
        return dns_label(value, "workspace name (the stack's own)")

    @property
    def local_name(self) -> str | None:
        return self.name


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
    workspace: str | None = Field(
        None,
        description="The workspace (workspaces[].name) it attaches to; required with "
        "workspaces, unset with workspace.",
        examples=["fraud"],
    )
    createNamespace: bool = Field(
        True,
        description="Create the namespace before the attach (Azure ML does not, and its "
        "workloads fail without it); false: it exists already, made outside this stack. "
        "Never created: default, and namespaces extraManifests declare.",
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


def compute_problems(settings: Settings) -> list[Problem]:
    """Each compute attaches to a workspace the stack names; names and namespaces are unique."""
    problems: list[Problem] = []
    for field, label in (("name", "compute names"), ("namespace", "namespaces")):
        seen: set[str] = set()
        for i, compute in enumerate(settings.computes):
            value = getattr(compute, field)
            if value in seen:
                problems.append(
                    (
                        ("computes", i, field),
                        f"{label} must be unique: '{value}' is used twice (one attach per "
                        "namespace isolates teams)",
                    )
                )
            seen.add(value)
    return problems + _attach_problems(settings)


def _attach_problems(settings: Settings) -> list[Problem]:
    names = [w.name for w in settings.workspaces]
    problems: list[Problem] = []
    if settings.computes and settings.workspace is None and not settings.workspaces:
        problems.append((("workspace",), "computes are attached to a workspace: set workspace.id"))
    for i, compute in enumerate(settings.computes):
        at = ("computes", i, "workspace")
        if settings.workspaces and compute.workspace is None:
            problems.append((at, f"set the workspace it attaches to: one of {', '.join(names)}"))
        elif settings.workspaces and compute.workspace not in names:
            problems.append(
                (at, f"'{compute.workspace}' is not in workspaces[]: one of {', '.join(names)}")
            )
        elif not settings.workspaces and compute.workspace is not None:
            problems.append(
                (
                    at,
                    "the stack has one workspace (workspace): remove computes[].workspace, or "
                    "list the workspaces under workspaces[] with a name each",
                )
            )
    return problems


def workspace_problems(settings: Settings) -> list[Problem]:
    """One form of the two; local names and workspace ids unique."""
    problems: list[Problem] = []
    if settings.workspace is not None and settings.workspaces:
        problems.append(
            (
                ("workspaces",),
                "workspace and workspaces are the same setting in two forms: keep one (list "
                "every workspace under workspaces[], each with a name)",
            )
        )
    for field, label in (("name", "names"), ("id", "ids")):
        seen: set[str] = set()
        for i, workspace in enumerate(settings.workspaces):
            value = workspace.id.lower() if field == "id" else workspace.name
            if value in seen:
                problems.append(
                    (
                        ("workspaces", i, field),
                        f"workspace {label} must be unique: '{getattr(workspace, field)}' is "
                        "listed twice",
                    )
                )
            seen.add(value)
    cluster = settings.cluster
    if (
        cluster.kind == "aks"
        and getattr(cluster, "disableLocalAccounts", False)
        and len(settings.workspaces) > aks.TRUSTED_ACCESS_MAX_BINDINGS
    ):
        problems.append(
            (
                ("workspaces",),
                f"{len(settings.workspaces)} workspaces: with local accounts off each needs a "
                f"Trusted Access binding, and an AKS cluster takes "
                f"{aks.TRUSTED_ACCESS_MAX_BINDINGS} (Learn 'Get secure access for Azure resources "
                "in Azure Kubernetes Service by using Trusted Access'); spread them over clusters",
            )
        )
    # One cluster, one subscription: every workspace it is attached to must share it.
    first = settings.workspaces[0].subscription_id.lower() if settings.workspaces else ""
    problems += [
        (
            ("workspaces", i, "id"),
            f"'{workspace.workspace_name}' is in subscription {workspace.subscription_id}, "
            f"'{settings.workspaces[0].workspace_name}' in {settings.workspaces[0].subscription_id}: "
            "Azure ML attaches a cluster only to workspaces of its own subscription (Learn "
            "'Deploy Azure Machine Learning extension on AKS or Arc Kubernetes cluster', "
            "Limitations)",
        )
        for i, workspace in enumerate(settings.workspaces)
        if workspace.subscription_id.lower() != first
    ]
    return problems
