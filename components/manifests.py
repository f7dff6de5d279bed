"""The team's own Kubernetes objects (`extraManifests`), applied through the cluster's provider.

They are built in Python as plain Kubernetes resources rather than through a remote component
(yaml/v2), so previews and policies see each object with its real type token.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as kubernetes_sdk

from catalog import tokens
from components.options import children_of
from stacks.settings import Manifest


class KubernetesObject(pulumi.CustomResource):
    """Any Kubernetes object, registered exactly as pulumi-kubernetes' typed classes register it."""

    def __init__(self, name: str, body: dict[str, Any], opts: pulumi.ResourceOptions):
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(version=kubernetes_sdk._utilities.get_version())
        )
        token = tokens.kubernetes_token(body["apiVersion"], body["kind"])
        super().__init__(token, name, dict(body), opts)


class ExtraManifests(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        manifests: list[Manifest],
        provider: kubernetes_sdk.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:ExtraManifests", name, None, opts)
        for manifest in manifests:
            meta = manifest.metadata
            parts = (manifest.kind.lower(), meta.get("namespace"), meta["name"])
            label = "-".join(part for part in parts if part)
            KubernetesObject(
                f"{name}-{label}",
                manifest.body(),
                children_of(self, opts, provider=provider),
            )
        self.count = pulumi.Output.from_input(len(manifests))
        self.register_outputs({"count": self.count})
