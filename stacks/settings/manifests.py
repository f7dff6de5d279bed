"""`azureml-k8s:extraManifests`: the team's own Kubernetes objects, inline.

Each object is checked as the API server would take it: against the Kubernetes OpenAPI schema of
the cluster's version (kubernetes-validate, strict: an unknown field is a typo, not silently
dropped; kinds it has no schema for, such as custom resources, are left to the cluster), and for
secret material by its structure (common.secrets): stack settings are plain text in the stack
file and in every plan, so a private key, a kubeconfig or a token has no place in any kind, not
only in a Secret. Findings name the manifest's index and the field, never the value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import kubernetes_validate
from kubernetes_validate import utils
from kubernetes_validate.utils import VersionNotSupportedError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from common import secrets
from stacks.settings.cluster import AksClusterSettings
from stacks.settings.errors import Problem, Problems

if TYPE_CHECKING:
    from stacks.settings.stack import Settings


class Manifest(BaseModel):
    """One Kubernetes object; its body is free-form but must name itself."""

    model_config = ConfigDict(frozen=True, extra="allow")
    apiVersion: str = Field(description="The object's apiVersion.", examples=["v1"])
    kind: str = Field(description="The object's kind.", examples=["Namespace"])
    metadata: dict[str, Any] = Field(description="The object's metadata; name is required.")

    @model_validator(mode="after")
    def _named(self) -> Manifest:
        if not self.metadata.get("name"):
            raise ValueError("metadata.name is required")
        if self.kind == "Secret":
            raise ValueError(
                "a Secret in plain stack settings would not be secret: create it from a secret "
                "config value instead"
            )
        found = list(secrets.find(self.body()))
        if found:
            raise Problems(
                [
                    (
                        path,
                        f"holds {what}: stack settings are plain text (in the stack file and in "
                        "every plan), so it would not stay secret; keep it out of "
                        "extraManifests: mount it from a Secret made from a secret config value, "
                        "or from a vault (Azure Key Vault CSI driver)",
                    )
                    for path, what in found
                ]
            )
        return self

    def body(self) -> dict[str, Any]:
        return self.model_dump()


def schema_version(settings: Settings) -> str:
    """The Kubernetes minor version whose schemas the manifests are checked against: the AKS
    cluster's version when pinned, else the newest the validator knows (AKS defaults to a recent
    one; an Arc cluster's is not known offline)."""
    newest = ".".join(kubernetes_validate.latest_version().split(".")[:2])
    cluster = settings.cluster
    pinned = cluster.kubernetesVersion if isinstance(cluster, AksClusterSettings) else None
    if not pinned:
        return newest
    major, _, rest = pinned.lstrip("v").partition(".")
    minor = rest.split(".")[0]
    if not (major.isascii() and major.isdigit() and minor.isascii() and minor.isdigit()):
        return newest
    shipped = [int(v.split(".")[1]) for v in utils.all_versions() if v.startswith("1.")]
    lowest, highest = min(shipped), int(newest.split(".")[1])
    return f"{major}.{min(max(int(minor), lowest), highest)}"


def manifest_problems(settings: Settings) -> list[Problem]:
    """Each extra manifest against the cluster version's schema, the first error of each."""
    version = schema_version(settings)
    problems: list[Problem] = []
    for i, manifest in enumerate(settings.extraManifests):
        try:
            kubernetes_validate.validate(manifest.body(), version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            continue  # a custom resource: the cluster's CRD decides
        except kubernetes_validate.ValidationError as err:
            problems.append(
                (
                    ("extraManifests", i, *err.path),
                    f"{err.message} (the Kubernetes {version} schema of {manifest.kind})",
                )
            )
        except (VersionNotSupportedError, kubernetes_validate.InvalidSchemaError, IndexError):
            continue  # no schema for that version ships: the cluster decides
    return problems
