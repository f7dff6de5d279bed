"""TLS for the inference router (azureml-fe): where its certificate lives and what it must be.

azureml-fe terminates HTTPS with one certificate and key, read either from a Kubernetes Secret in
the extension's namespace (`sslSecret`) or from the protected PEM settings. The rules below are
what a certificate must satisfy for clients of the scoring host (`sslCname`) to connect.
"""

from __future__ import annotations

from catalog import documents, extension

# The Secret azureml-fe reads when the extension is given `sslSecret`: in the release namespace,
# the certificate chain and the key under these data keys.
SECRET_NAMESPACE = extension.RELEASE_NAMESPACE
SECRET_CERT_KEY = "cert.pem"
SECRET_KEY_KEY = "key.pem"
SECRET_TYPE = "Opaque"
MIN_TLS_VERSION = "1.2"
# Key types and sizes: RSA of at least 2048 bits, or EC on NIST P-256 / P-384 (names as the
# `cryptography` library spells the curves).
RSA_MIN_BITS = 2048
# Certificates in the sslCertPem chain: the server's and its intermediates.
MAX_CHAIN_CERTIFICATES = 10
EC_CURVES = ("secp256r1", "secp384r1")
# A certificate closer than this to its expiry is a warning (renew it before clients fail).
EXPIRY_WARNING_DAYS = 30
# Self-signed certificates (tls.source selfSigned, dev/test only): key and validity.
SELF_SIGNED_ALGORITHM = "ECDSA"
SELF_SIGNED_CURVE = "P256"
SELF_SIGNED_VALIDITY_HOURS = 24 * 90
SELF_SIGNED_EARLY_RENEWAL_HOURS = 24 * EXPIRY_WARNING_DAYS
SELF_SIGNED_USES = ("key_encipherment", "digital_signature", "server_auth")


def host_matches(pattern: str, host: str) -> bool:
    """Does a certificate's DNS name cover `host`, as TLS clients match them?

    Case-insensitive; a wildcard is only a whole left-most label (`*.ml.contoso.com`) and stands
    for exactly one label: it covers `a.ml.contoso.com`, not `ml.contoso.com` nor
    `a.b.ml.contoso.com`; partial wildcards (`s*.contoso.com`) match nothing.
    """
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if "*" not in pattern:
        return pattern == host
    first, _, rest = pattern.partition(".")
    if first != "*" or "*" in rest or rest.count(".") < 1:
        return False
    label, _, host_rest = host.partition(".")
    return bool(label) and host_rest == rest


SOURCES: dict[str, str] = {
    "SECRET_NAMESPACE": "the extension's release namespace (catalog.extension); "
    f"{documents.EXTENSION}, settings table: sslSecret names a Secret in namespace azureml",
    "SECRET_CERT_KEY": f"{documents.EXTENSION}: the sslSecret holds cert.pem and key.pem; "
    f"{documents.SECURE_ONLINE_ENDPOINT}",
    "SECRET_KEY_KEY": f"{documents.EXTENSION}: the sslSecret holds cert.pem and key.pem",
    "SECRET_TYPE": "Kubernetes API reference, Secret: type Opaque for arbitrary keys (cert.pem "
    "and key.pem are not the kubernetes.io/tls keys tls.crt/tls.key)",
    "MIN_TLS_VERSION": f"azureml-fe serves TLS 1.2: {documents.SECURE_ONLINE_ENDPOINT}",
    "MAX_CHAIN_CERTIFICATES": "project rule: a server sends its certificate and its "
    "intermediates (RFC 8446 section 4.4.2: the root may be left out); real chains hold 2 to 4, "
    "and a bound keeps the order check (one signature check per link) small",
    "RSA_MIN_BITS": "NIST SP 800-57 Part 1 Rev. 5 and CA/Browser Forum Baseline Requirements "
    "6.1.5: RSA moduli of at least 2048 bits",
    "EC_CURVES": "CA/Browser Forum Baseline Requirements 6.1.5: ECDSA on NIST P-256 or P-384",
    "EXPIRY_WARNING_DAYS": "issue 10 (project rule): warn 30 days before a certificate expires",
    "SELF_SIGNED_ALGORITHM": "pulumi-tls PrivateKey.algorithm (RSA | ECDSA | ED25519); ECDSA "
    "P-256 is one of EC_CURVES",
    "SELF_SIGNED_CURVE": "pulumi-tls PrivateKey.ecdsa_curve (P224 | P256 | P384 | P521)",
    "SELF_SIGNED_VALIDITY_HOURS": "project choice for dev/test certificates (90 days, as ACME "
    "issuers use)",
    "SELF_SIGNED_EARLY_RENEWAL_HOURS": "pulumi-tls SelfSignedCert.early_renewal_hours: "
    "re-issued once inside EXPIRY_WARNING_DAYS",
    "SELF_SIGNED_USES": "pulumi-tls SelfSignedCert.allowed_uses; RFC 5280 key usage and "
    "extended key usage of a TLS server certificate",
    "host_matches": "RFC 6125 section 6.4.3 as browsers apply it: a wildcard is the whole "
    "left-most label and matches one label",
}
