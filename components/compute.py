"""Kubernetes compute: the cluster attached to its workspaces, once per namespace.

Before the attaches: the namespaces they use (Azure ML neither creates nor checks them) and,
for a workspace whose identity is user-assigned, the roles that identity needs on the cluster.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as kubernetes_sdk
from pulumi_azure_native import authorization, machinelearningservices

from catalog import arm, extension_cli, roles
from catalog import extension as catalog_extension
from components.cluster import ClusterHandle
from components.options import children_of
from stacks.settings import ComputeSettings, Workspace


@dataclass(frozen=True)
class Attach:
    """One compute and the workspace it attaches to."""

    compute: ComputeSettings
    workspace: Workspace


class Compute(pulumi.ComponentResource):
    """One `computeType: Kubernetes` attach per namespace, so each team's workloads stay in its
    own namespace. (The legacy `computeType: AKS` cannot host v2 online endpoints.)"""

    def __init__(
        self,
        name: str,
        attaches: list[Attach],
        cluster: ClusterHandle,
        extension_principal_id: pulumi.Input[str | None],
        *,
        namespaces: Sequence[str] = (),
        trusted_access: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """namespaces: the ones to create (not default, not declared elsewhere).
        trusted_access: Azure ML reaches the AKS cluster through Trusted Access."""
        super().__init__("azureml-k8s:index:Compute", name, None, opts)
        self._name, self._opts, self._cluster = name, opts, cluster
        made = {
            namespace: kubernetes_sdk.core.v1.Namespace(
                f"{name}-namespace-{namespace}",
                metadata={"name": namespace},
                opts=children_of(self, opts, provider=cluster.provider),
            )
            for namespace in namespaces
        }
        granted: dict[str, list[pulumi.Resource]] = {}
        for attach in attaches:
            key = attach.workspace.id.lower()
            if key not in granted:
                granted[key] = self._roles(attach.workspace, trusted_access)
        self._attaches = [
            self._attach(
                attach,
                extension_principal_id,
                [
                    *([made[attach.compute.namespace]] if attach.compute.namespace in made else []),
                    *granted[attach.workspace.id.lower()],
                ],
            )
            for attach in attaches
        ]
        self.ids: pulumi.Output[list[str]] = pulumi.Output.all(
            *[attach.id for attach in self._attaches]
        )
        self.register_outputs({"ids": self.ids})

    def _attach(
        self,
        attach: Attach,
        extension_principal_id: pulumi.Input[str | None],
        waits: list[pulumi.Resource],
    ) -> machinelearningservices.Compute:
        compute, workspace = attach.compute, attach.workspace
        return machinelearningservices.Compute(
            f"{self._name}-{compute.name}",
            resource_group_name=workspace.resource_group,
            workspace_name=workspace.workspace_name,
            compute_name=compute.name,
            location=self._cluster.facts.location,
            identity={"type": "SystemAssigned"},
            properties={
                "compute_type": "Kubernetes",
                "resource_id": self._cluster.id,
                "properties": {
                    "namespace": compute.namespace,
                    "extension_principal_id": extension_principal_id,
                    "extension_instance_release_train": catalog_extension.RELEASE_TRAIN,
                },
            },
            opts=children_of(self, self._opts, depends_on=waits or None),
        )

    def _roles(self, workspace: Workspace, trusted_access: bool) -> list[pulumi.Resource]:
        """What a user-assigned workspace identity needs before it can attach the cluster (a
        system-assigned one is granted by Azure ML itself)."""
        if workspace.principalId is None:
            return []
        facts = self._cluster.facts
        scopes = [(self._cluster.id, roles.attach_roles(facts.kind, trusted_access))]
        if facts.kind == "arc":
            relay = arm.build(
                facts.subscription_id,
                facts.resource_group,
                arm.RELAY_NAMESPACE,
                extension_cli.relay_namespace_name(facts),
            )
            scopes.append((relay, dict(roles.ATTACH_ON_RELAY)))
        prefix = f"{self._name}-{workspace.local_name or 'workspace'}"
        return [
            authorization.RoleAssignment(
                f"{prefix}-{role}",
                scope=scope,
                principal_id=workspace.principalId,
                principal_type="ServicePrincipal",
                # One name per (scope, identity, role): the same grant is one assignment.
                role_assignment_name=str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}/{workspace.principalId}/{role_id}")
                ),
                role_definition_id=arm.role_definition(facts.subscription_id, role_id),
                opts=children_of(self, self._opts),
            )
            for scope, granted in scopes
            for role, role_id in granted.items()
        ]
