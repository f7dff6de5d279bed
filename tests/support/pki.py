"""Real test certificates, made with `cryptography`: a CA, server certificates and keys as PEM.

Keys are generated once per process (RSA generation is the slow part) and reused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@functools.cache
def key(kind: str = "ec256"):
    """ec256, ec384, ec521, rsa2048, rsa1024, or another ec256 as 'other'."""
    if kind.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(kind[3:]))
    curves = {"ec256": ec.SECP256R1(), "other": ec.SECP256R1(), "ec384": ec.SECP384R1()}
    return ec.generate_private_key(curves.get(kind, ec.SECP521R1()))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_cert(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(private_key, passphrase: bytes | None = None) -> str:
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


@dataclass(frozen=True)
class Pair:
    cert: str  # the chain, leaf first unless made otherwise
    key: str


@functools.cache
def _ca() -> x509.Certificate:
    ca_key = key("ec384")
    return (
        x509.CertificateBuilder()
        .subject_name(_name("Test CA"))
        .issuer_name(_name("Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=365))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )


def server(
    names: tuple[str, ...] = ("scoring.ml.contoso.com",),
    *,
    kind: str = "ec256",
    days_left: float = 365,
    starts_in_days: float = -30,
    key_kind: str | None = None,
    chain_order: str = "leaf-first",
    now: datetime | None = None,
) -> Pair:
    """A server certificate for `names` issued by the test CA, valid for `days_left` more days.

    key_kind: the key to return when it must differ from the certificate's (a mismatch).
    chain_order: leaf-first, ca-first or leaf-only. now: default the current time."""
    now = now or datetime.now(UTC)
    leaf_key = key(kind)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0] if names else "no-san"))
        .issuer_name(_ca().subject)
        .public_key(leaf_key.public_key())
        .serial_number(2)
        .not_valid_before(now + timedelta(days=starts_in_days))
        .not_valid_after(now + timedelta(days=days_left))
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
        )
    leaf = builder.sign(key("ec384"), hashes.SHA256())
    parts = {
        "leaf-first": [leaf, _ca()],
        "ca-first": [_ca(), leaf],
        "leaf-only": [leaf],
    }[chain_order]
    return Pair("".join(_pem_cert(cert) for cert in parts), key_pem(key(key_kind or kind)))
