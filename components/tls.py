"""The router's certificate as the Secret azureml-fe reads (`extension.sslSecret`).

The Secret is created before the extension, so azureml-fe finds it on its first start; the
extension then refers to it by name instead of carrying the PEM pair in protected settings.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as kubernetes_sdk
import pulumi_tls

from catalog import tls as catalog_tls
from components.options import children_of


class Tls(pulumi.ComponentResource):
    """Secret `secret_name` in the extension's namespace with cert.pem and key.pem.

    pem: the certificate chain and key (secret config), or None to make a self-signed
    certificate for `cname` (dev/test only; the settings refuse it in prod)."""

    def __init__(
        self,
        name: str,
        secret_name: str,
        cname: str,
        provider: kubernetes_sdk.Provider,
        *,
        pem: tuple[pulumi.Input[str], pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("azureml-k8s:index:Tls", name, None, opts)
        if pem is None:
            key = pulumi_tls.PrivateKey(
                f"{name}-key",
                algorithm=catalog_tls.SELF_SIGNED_ALGORITHM,
                ecdsa_curve=catalog_tls.SELF_SIGNED_CURVE,
                opts=children_of(self, opts),
            )
            cert = pulumi_tls.SelfSignedCert(
                f"{name}-cert",
                private_key_pem=key.private_key_pem,
                dns_names=[cname],
                subject={"common_name": cname},
                validity_period_hours=catalog_tls.SELF_SIGNED_VALIDITY_HOURS,
                early_renewal_hours=catalog_tls.SELF_SIGNED_EARLY_RENEWAL_HOURS,
                allowed_uses=list(catalog_tls.SELF_SIGNED_USES),
                opts=children_of(self, opts),
            )
            pem = (cert.cert_pem, key.private_key_pem)
        cert_pem, key_pem = pem
        # The extension installs into this namespace; it is made first so the Secret can be.
        namespace = kubernetes_sdk.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": catalog_tls.SECRET_NAMESPACE},
            # Retained: deleting it would delete the extension's workloads with it.
            opts=children_of(self, opts, provider=provider, retain_on_delete=True),
        )
        secret = kubernetes_sdk.core.v1.Secret(
            f"{name}-secret",
            metadata={"name": secret_name, "namespace": namespace.metadata["name"]},
            type=catalog_tls.SECRET_TYPE,
            string_data={
                catalog_tls.SECRET_CERT_KEY: pulumi.Output.secret(cert_pem),
                catalog_tls.SECRET_KEY_KEY: pulumi.Output.secret(key_pem),
            },
            # pulumi-kubernetes keeps a Secret's data and stringData secret.
            opts=children_of(self, opts, provider=provider),
        )
        self.secret_name = pulumi.Output.from_input(secret_name)
        self.certificate = pulumi.Output.secret(cert_pem)
        self._secret = secret
        self.register_outputs({"secretName": self.secret_name, "certificate": self.certificate})

    @property
    def resource(self) -> pulumi.Resource:
        """The Secret, for the extension to wait for."""
        return self._secret
