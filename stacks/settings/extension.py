"""`azureml-k8s:extension`: the Azure ML extension's documented settings, under their names."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from catalog import extension as catalog_extension
from stacks.settings.base import Model, dns_label, hostname

_DOCUMENTED = catalog_extension.SETTINGS


def _doc(key: str) -> str:
    """The documented meaning of an extension setting, from the catalog."""
    return _DOCUMENTED[key].meaning[:1].upper() + _DOCUMENTED[key].meaning[1:] + "."


class ExtensionSettings(Model):
    """The documented settings of the Azure ML extension (Microsoft.AzureML.Kubernetes)."""

    name: str = Field("azureml", description="The extension resource's name.")
    enableTraining: bool = Field(False, description=_doc("enableTraining"))
    enableInference: bool = Field(False, description=_doc("enableInference"))
    allowInsecureConnections: bool = Field(False, description=_doc("allowInsecureConnections"))
    inferenceRouterServiceType: str | None = Field(
        None,
        description="How azureml-fe is exposed: loadBalancer, nodePort or clusterIP (any case); "
        "required with inference.",
    )
    internalLoadBalancerProvider: Literal["azure"] | None = Field(
        None, description=_doc("internalLoadBalancerProvider")
    )
    sslSecret: str | None = Field(None, description=_doc("sslSecret"), examples=["azureml-fe-tls"])
    sslCname: str | None = Field(
        None, description=_doc("sslCname"), examples=["scoring.ml.contoso.com"]
    )
    inferenceRouterHA: bool | None = Field(
        None,
        description="3 azureml-fe replicas (needs 3 or more nodes). Unset: on, or off on a "
        "cluster under 3 nodes, as the az CLI does.",
    )
    nodeSelector: dict[str, str] = Field(
        {},
        description="Pins the extension and ML workloads to labelled nodes; keys cannot be "
        "removed once installed.",
    )
    installNvidiaDevicePlugin: bool = Field(False, description=_doc("installNvidiaDevicePlugin"))
    installPromOp: bool = Field(True, description=_doc("installPromOp"))
    installVolcano: bool = Field(True, description=_doc("installVolcano"))
    installDcgmExporter: bool = Field(False, description=_doc("installDcgmExporter"))
    sslCertPemFile: str | None = Field(
        None,
        description="Protected, as with --config-protected: path of the PEM certificate "
        "(relative to the project). Prefer the secret config value azureml-k8s:sslCertPem.",
    )
    sslKeyPemFile: str | None = Field(
        None,
        description="Protected: path of the PEM private key (no passphrase). Prefer the secret "
        "config value azureml-k8s:sslKeyPem.",
    )
    releaseTrain: Literal["stable", "preview"] = Field(
        catalog_extension.RELEASE_TRAIN, description="Extension release train."
    )
    version: str | None = Field(
        None, description="Pin a version (needs autoUpgradeMinorVersion: false)."
    )
    autoUpgradeMinorVersion: bool = Field(True, description="Let Azure upgrade minor versions.")

    @field_validator("inferenceRouterServiceType")
    @classmethod
    def _service_type(cls, value: str | None) -> str | None:
        # Case-insensitive like the CLI; the user's spelling is what gets sent.
        allowed = {t.lower() for t in catalog_extension.SERVICE_TYPES}
        if value is not None and value.lower() not in allowed:
            raise ValueError(
                f"'{value}' is not a router service type: use loadBalancer, nodePort or clusterIP"
            )
        return value

    @field_validator("sslCname")
    @classmethod
    def _cname(cls, value: str | None) -> str | None:
        return None if value is None else hostname(value)

    @field_validator("sslSecret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        return None if value is None else dns_label(value, "Kubernetes Secret name")

    @model_validator(mode="after")
    def _version(self) -> ExtensionSettings:
        if self.version and self.autoUpgradeMinorVersion:
            raise ValueError("pinning version needs autoUpgradeMinorVersion: false")
        if bool(self.sslCertPemFile) != bool(self.sslKeyPemFile):
            raise ValueError("sslCertPemFile and sslKeyPemFile go together")
        return self

    @property
    def https(self) -> bool:
        """Inference served over HTTPS (the secure default)."""
        return self.enableInference and not self.allowInsecureConnections

    def cli_settings(self) -> dict[str, str]:
        """The `--config` pairs a user would pass to az k8s-extension create: the keys set in the
        stack, as strings."""
        out: dict[str, str] = {}
        for key in sorted(self.model_fields_set & set(catalog_extension.SETTINGS)):
            value = getattr(self, key)
            if key == "nodeSelector":
                prefix = catalog_extension.NODE_SELECTOR_PREFIX
                out.update({f"{prefix}{label}": v for label, v in sorted(value.items())})
            elif value is not None:
                out[key] = (
                    catalog_extension.wire_bool(value) if isinstance(value, bool) else str(value)
                )
        return out

    def cli_protected_paths(self) -> dict[str, str]:
        """The `--config-protected` PEM paths, as the CLI sends them."""
        return {
            key: getattr(self, key)
            for key in catalog_extension.PROTECTED_SETTINGS
            if getattr(self, key)
        }
