"""The team's own Kubernetes objects (`extraManifests`), applied through the cluster's provider.

They are built in Python as plain Kubernetes resources rather than through a remote component
(yaml/v2), so previews and policies see each object with its real type token.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from catalog import tokens
from stacks.settings import Manifest


class KubernetesObject(pulumi.CustomResource):
    """Any Kubernetes object, registered exactly as pulumi-kubernetes' typed classes register it."""

    def __init__(self, name: str, body: dict[str, Any], opts: pulumi.ResourceOptions):
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(version=k8s._utilities.get_version())
        )
        super().__init__(
            tokens.kubernetes_token(body["apiVersion"], body["kind"]), name, dict(body), opts
        )


class ExtraManifests(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        manifests: list[Manifest],
        provider: k8s.Provider,
        depends_on: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:ExtraManifests", name, None, opts)
        self.objects = []
        for m in manifests:
            meta = m.metadata
            label = "-".join(p for p in (m.kind.lower(), meta.get("namespace"), meta["name"]) if p)
            self.objects.append(
                KubernetesObject(
                    f"{name}-{label}",
                    m.body(),
                    pulumi.ResourceOptions(parent=self, provider=provider, depends_on=depends_on),
                )
            )
        self.register_outputs({"count": len(self.objects)})
