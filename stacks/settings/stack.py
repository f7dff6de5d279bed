"""The whole stack's settings: one model over every config key, and the facts derived from them."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.json_schema import JsonDict

from catalog import regions
from catalog.kubernetes import DEFAULT_NAMESPACE
from stacks.settings import rules
from stacks.settings.base import Model
from stacks.settings.cluster import AksClusterSettings, Cluster
from stacks.settings.dns import Dns
from stacks.settings.egress import Egress
from stacks.settings.endpoints import Endpoint
from stacks.settings.errors import Problems
from stacks.settings.extension import ExtensionSettings
from stacks.settings.instance_types import InstanceType
from stacks.settings.manifests import Manifest
from stacks.settings.tls import TlsSettings
from stacks.settings.workspace import ComputeSettings, NamedWorkspace, Workspace

PROJECT = "azureml-k8s"
# Keys read from the azure-native provider's namespace; every other key is the project's.
AZURE_NATIVE_KEYS = ("location", "subscriptionId")
_SECRET: JsonDict = {"secret": True}
# Azure region names: letters and digits ('westeurope'), or the display form ('West Europe').
_REGION = re.compile(r"[A-Za-z][A-Za-z0-9]*( [A-Za-z0-9]+)*")


class Settings(Model):
    """Every config key of a stack, validated together."""

    location: str = Field(
        description="The Azure region (azure-native:location).", examples=["westeurope"]
    )
    environment: Literal["dev", "test", "prod"] = Field(
        description="dev | test | prod; prod turns on the production rules and defaults."
    )
    cluster: Cluster = Field(description="The cluster: kind aks (create) or arc (attach).")
    extension: ExtensionSettings = Field(description="The Azure ML extension's settings.")
    workspace: Workspace | None = Field(None, description="The Azure ML workspace to attach to.")
    workspaces: list[NamedWorkspace] = Field(
        [],
        description="Several workspaces on one cluster, instead of workspace: each with a name "
        "that computes[].workspace uses.",
    )
    egress: Egress | None = Field(
        None, description="Outbound traffic locked to the documented hosts (firewall rules)."
    )
    dns: Dns | None = Field(None, description="The DNS record for extension.sslCname.")
    computes: list[ComputeSettings] = Field(
        [], description="Kubernetes compute attaches, one per namespace (team isolation)."
    )
    tls: TlsSettings | None = Field(
        None,
        description="The router's certificate as the sslSecret Secret: secretConfig or selfSigned. "
        "Unset: the Secret (or the protected PEM pair) is provided otherwise.",
    )
    instanceTypes: list[InstanceType] = Field(
        [], description="InstanceType custom resources: node selection and pod resources."
    )
    endpoints: list[Endpoint] = Field(
        [], description="Online endpoints on a Kubernetes compute, with their deployments."
    )
    extraManifests: list[Manifest] = Field(
        [], description="The team's own Kubernetes objects, inline (no Secrets)."
    )
    subscriptionId: str | None = Field(
        None,
        description="Subscription to deploy to (azure-native:subscriptionId); unset: the "
        "signed-in identity's.",
    )
    sslCertPem: SecretStr | None = Field(
        None,
        description="Secret: the router's PEM certificate (pulumi config set --secret).",
        json_schema_extra=_SECRET,
    )
    sslKeyPem: SecretStr | None = Field(
        None,
        description="Secret: the router's PEM private key, no passphrase.",
        json_schema_extra=_SECRET,
    )
    kubeconfig: SecretStr | None = Field(
        None,
        description="Secret, Arc only: how to reach the cluster's API server.",
        json_schema_extra=_SECRET,
    )

    @field_validator("location")
    @classmethod
    def _location(cls, value: str) -> str:
        if not _REGION.fullmatch(value):
            raise ValueError(
                f"{value!r} is not an Azure region name (e.g. westeurope or 'West Europe')"
            )
        if not regions.known(value):
            close = regions.closest(value)
            hint = f"did you mean '{close}'?" if close else "e.g. westeurope or 'West Europe'"
            raise ValueError(f"{value!r} is not an Azure region: {hint}")
        return value

    @model_validator(mode="after")
    def _cross_field(self) -> Settings:
        problems = rules.check(self)
        if problems:
            raise Problems(problems)
        return self

    # Derived facts ---------------------------------------------------------------------------

    @property
    def region(self) -> str:
        return regions.normalize(self.location)

    @property
    def prod(self) -> bool:
        return self.environment == "prod"

    def attached_workspaces(self) -> list[Workspace]:
        """Every workspace the stack names, in its order (one form or the other)."""
        return [self.workspace] if self.workspace is not None else list(self.workspaces)

    def workspace_path(self, workspace: Workspace) -> tuple[str | int, ...]:
        """Where a workspace is in the stack's config, for messages."""
        if workspace is self.workspace:
            return ("workspace",)
        return ("workspaces", next(i for i, w in enumerate(self.workspaces) if w is workspace))

    def workspace_of(self, compute: ComputeSettings) -> Workspace | None:
        """The workspace a compute attaches to (None when the stack names none)."""
        if compute.workspace is None:
            return self.workspace
        return next((w for w in self.workspaces if w.name == compute.workspace), None)

    def computes_of(self, workspace: Workspace) -> list[ComputeSettings]:
        return [c for c in self.computes if self.workspace_of(c) is workspace]

    def declared_namespaces(self) -> set[str]:
        """Namespaces extraManifests declares (kind Namespace, apiVersion v1)."""
        return {
            str(m.metadata["name"])
            for m in self.extraManifests
            if m.kind == "Namespace" and m.apiVersion == "v1"
        }

    def namespaces_to_create(self) -> list[str]:
        """The computes' namespaces the stack makes: not default, not declared in extraManifests,
        not marked as existing (createNamespace: false); in the computes' order."""
        declared = self.declared_namespaces()
        return list(
            dict.fromkeys(
                c.namespace
                for c in self.computes
                if c.createNamespace
                and c.namespace != DEFAULT_NAMESPACE
                and c.namespace not in declared
            )
        )

    @property
    def pem_from_config(self) -> bool:
        return self.sslCertPem is not None or self.sslKeyPem is not None

    def control_plane_regions(self) -> list[str]:
        pair = regions.paired(self.region)
        return [self.region] + ([pair] if pair else [])

    def control_plane_ranges(self, region: str) -> list[str]:
        """The AzureMachineLearning.<region> ranges: the stack's override, else the catalog's."""
        assert isinstance(self.cluster, AksClusterSettings)
        override = {
            regions.normalize(name): ranges
            for name, ranges in self.cluster.apiServer.azureMlControlPlaneRanges.items()
        }
        if region in override:
            return list(override[region])
        return list(regions.control_plane_ranges(region))

    def authorized_ranges(self) -> list[str]:
        """The API server's authorized ranges as sent to AKS: the stack's, plus the Azure ML
        control plane's of the region and its pair; the stack's own when not restricted."""
        assert isinstance(self.cluster, AksClusterSettings)
        api = self.cluster.apiServer
        if not api.restricted:
            return list(api.authorizedIpRanges)
        merged = list(api.authorizedIpRanges)
        for region in self.control_plane_regions():
            merged += [r for r in self.control_plane_ranges(region) if r not in merged]
        return merged

    def container_insights(self) -> bool:
        assert isinstance(self.cluster, AksClusterSettings)
        flag = self.cluster.monitoring.containerInsights
        return self.prod if flag is None else flag

    def defender(self) -> bool:
        assert isinstance(self.cluster, AksClusterSettings)
        flag = self.cluster.monitoring.defender
        return self.prod if flag is None else flag


def project_keys() -> list[str]:
    """The config keys under the project's namespace."""
    return [key for key in Settings.model_fields if key not in AZURE_NATIVE_KEYS]


def secret_keys() -> list[str]:
    """The keys whose values must be secret config values."""
    return [
        key
        for key, field in Settings.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("secret")
    ]
