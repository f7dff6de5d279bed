"""`azureml-k8s:tls`: where the certificate of the router's `sslSecret` comes from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from stacks.settings.base import Model
from stacks.settings.errors import Problem

if TYPE_CHECKING:
    from stacks.settings.stack import Settings

_SET_PAIR = (
    "pulumi config set --secret azureml-k8s:sslCertPem < cert.pem and "
    "pulumi config set --secret azureml-k8s:sslKeyPem < key.pem"
)


class TlsSettings(Model):
    """The Secret named by extension.sslSecret, created by the stack."""

    source: Literal["secretConfig", "selfSigned"] = Field(
        description="secretConfig: the PEM pair from the secret config values sslCertPem and "
        "sslKeyPem; selfSigned: a certificate for sslCname made here (dev/test only)."
    )


def tls_problems(settings: Settings) -> list[Problem]:
    """The Secret needs HTTPS inference, a name, and the right source of its certificate."""
    tls, extension = settings.tls, settings.extension
    if tls is None:
        return []
    at = ("tls", "source")
    problems: list[Problem] = []
    if not extension.https:
        problems.append(
            (
                ("tls",),
                "tls makes the certificate of HTTPS scoring: it needs enableInference: true and "
                "allowInsecureConnections: false; remove tls otherwise",
            )
        )
    if not extension.sslSecret:
        problems.append(
            (
                ("extension", "sslSecret"),
                f"tls.source {tls.source} creates the Secret azureml-fe reads: name it with "
                "extension.sslSecret (e.g. azureml-fe-tls)",
            )
        )
    if extension.sslCertPemFile:
        problems.append(
            (
                ("extension", "sslCertPemFile"),
                "with tls the certificate goes into the sslSecret Secret, not into protected "
                f"settings: remove sslCertPemFile/sslKeyPemFile and use {_SET_PAIR}",
            )
        )
    if tls.source == "secretConfig":
        if settings.sslCertPem is None and settings.sslKeyPem is None:
            problems.append(
                (("sslCertPem",), f"tls.source secretConfig needs the pair: {_SET_PAIR}")
            )
    else:
        if settings.prod:
            problems.append(
                (
                    at,
                    "a self-signed certificate is for dev/test: in prod use source secretConfig "
                    "with a certificate your clients trust",
                )
            )
        if settings.pem_from_config:
            problems.append(
                (
                    ("sslCertPem",),
                    "tls.source selfSigned makes its own certificate: remove sslCertPem and "
                    "sslKeyPem, or use source secretConfig",
                )
            )
    return problems
