"""`azureml-k8s:extraManifests`: the team's own Kubernetes objects, inline."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


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
        return self

    def body(self) -> dict[str, Any]:
        return self.model_dump()
