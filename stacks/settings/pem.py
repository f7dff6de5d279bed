"""The router's PEM pair: read from the files the extension's protected settings name (as the az
CLI reads them), and checked before anything is created.

Files are read relative to the project directory (where pulumi runs), bounded in size and only
when they are regular files, so a path such as /dev/zero cannot hang or exhaust the program.
The pair, from files or from secret config alike, must be what azureml-fe and TLS clients accept:
the key matches the certificate, no passphrase, RSA >= 2048 or EC P-256/P-384, the chain leaf
first, valid now, and covering `sslCname`. Messages name the key and the fix and never quote the
PEM text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import SecretStr

from catalog import tls
from catalog.tokens import PREVIEW_SECRET_PLACEHOLDER
from stacks.settings.errors import Problem
from stacks.settings.stack import Settings

# A certificate chain is a few KiB; anything this large is not a PEM file.
MAX_PEM_BYTES = 1 << 20
_FIELDS = (("sslCertPemFile", "sslCertPem"), ("sslKeyPemFile", "sslKeyPem"))
_PASSPHRASE_FIX = "export it without one (openssl pkey -in key.pem -out plain.pem)"


@dataclass(frozen=True)
class PemCheck:
    """The settings with the files' contents in sslCertPem / sslKeyPem, what is wrong, and what
    deserves a warning (a certificate close to expiry)."""

    settings: Settings
    problems: list[Problem]
    warnings: list[Problem]


def _read(path: Path) -> str:
    if not path.is_file():
        raise ValueError("not a regular file")
    with path.open("rb") as handle:
        data = handle.read(MAX_PEM_BYTES + 1)
    if len(data) > MAX_PEM_BYTES:
        raise ValueError(f"larger than {MAX_PEM_BYTES} bytes")
    return data.decode("ascii")


def with_pem_files(settings: Settings, project_dir: Path, now: datetime | None = None) -> PemCheck:
    """Read the PEM files the extension names, then check the pair wherever it came from.

    now: the time the certificate must be valid at (default: the current time)."""
    extension = settings.extension
    problems: list[Problem] = []
    update: dict[str, SecretStr] = {}
    for path_key, field in _FIELDS:
        path = getattr(extension, path_key)
        if not path:
            continue
        try:
            update[field] = SecretStr(_read(project_dir / path))
        except (OSError, UnicodeDecodeError, ValueError) as err:
            reason = err.__class__.__name__ if isinstance(err, OSError) else str(err)
            if isinstance(err, UnicodeDecodeError):
                reason = "not ASCII text"
            problems.append(
                (
                    ("extension", path_key),
                    f"cannot read PEM file '{path}' (relative to the project directory, where "
                    f"pulumi runs): {reason}",
                )
            )
    settings = settings.model_copy(update=update)
    warnings: list[Problem] = []
    if settings.sslCertPem is not None and settings.sslKeyPem is not None and not problems:
        from_files = bool(update)
        cert_at = ("extension", "sslCertPemFile") if from_files else ("sslCertPem",)
        key_at = ("extension", "sslKeyPemFile") if from_files else ("sslKeyPem",)
        pair = PemPair(
            settings.sslCertPem.get_secret_value(),
            settings.sslKeyPem.get_secret_value(),
            cert_at,
            key_at,
        )
        found, warnings = pair.check(settings.extension.sslCname, now or datetime.now(UTC))
        problems += found
    return PemCheck(settings, problems, warnings)


@dataclass(frozen=True)
class PemPair:
    """A certificate chain and its private key as PEM text, with the keys they were set under."""

    cert_pem: str
    key_pem: str
    cert_at: tuple[str, ...]
    key_at: tuple[str, ...]

    def check(self, cname: str | None, now: datetime) -> tuple[list[Problem], list[Problem]]:
        """(problems, warnings) of this pair for serving `cname` at `now`."""
        if PREVIEW_SECRET_PLACEHOLDER in (self.cert_pem, self.key_pem):
            # A secure value preflight could not decrypt: its content is not known here.
            return [], []
        problems: list[Problem] = []
        chain = self._chain(problems)
        key = self._key(problems)
        if not chain:
            return problems, []
        leaf = chain[0]
        if key is not None and _public(key.public_key()) != _public(leaf.public_key()):
            problems.append(self._mismatch(chain, key))
        problems += self._order(chain)
        found, warnings = self._validity(leaf, now)
        problems += found
        if cname:
            problems += self._covers(leaf, cname)
        return problems, warnings

    def _chain(self, problems: list[Problem]) -> list[x509.Certificate]:
        try:
            return x509.load_pem_x509_certificates(self.cert_pem.encode("ascii", "replace"))
        except ValueError:
            problems.append(
                (
                    self.cert_at,
                    "not a PEM certificate chain: give the server certificate and its "
                    "intermediates, each between -----BEGIN CERTIFICATE----- and "
                    "-----END CERTIFICATE-----",
                )
            )
            return []

    def _key(self, problems: list[Problem]):
        data = self.key_pem.encode("ascii", "replace")
        if b"ENCRYPTED" in data:
            problems.append((self.key_at, _passphrase_message()))
            return None
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except TypeError:
            problems.append((self.key_at, _passphrase_message()))
            return None
        except (ValueError, UnsupportedAlgorithm):
            problems.append(
                (
                    self.key_at,
                    "not a PEM private key: give the key between -----BEGIN PRIVATE KEY----- "
                    "(or RSA/EC PRIVATE KEY) and its END line",
                )
            )
            return None
        if isinstance(key, rsa.RSAPrivateKey):
            if key.key_size < tls.RSA_MIN_BITS:
                problems.append(
                    (
                        self.key_at,
                        f"an RSA key of {key.key_size} bits is too weak: issue the certificate "
                        f"for an RSA key of at least {tls.RSA_MIN_BITS} bits or an EC P-256 key",
                    )
                )
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            if key.curve.name not in tls.EC_CURVES:
                problems.append(
                    (
                        self.key_at,
                        f"an EC key on {key.curve.name} is not accepted: use P-256 or P-384",
                    )
                )
        else:
            problems.append(
                (
                    self.key_at,
                    "this key type is not accepted: use RSA of at least "
                    f"{tls.RSA_MIN_BITS} bits or EC P-256/P-384",
                )
            )
        return key

    def _mismatch(self, chain: list[x509.Certificate], key) -> Problem:
        later = [
            i
            for i, cert in enumerate(chain[1:], 1)
            if _public(cert.public_key()) == _public(key.public_key())
        ]
        if later:
            return (
                self.cert_at,
                f"the key belongs to certificate {later[0] + 1} of the chain, not the first: put "
                "the server certificate first, then its issuers",
            )
        return (
            self.key_at,
            "the private key does not match the certificate: set the key the certificate was "
            "issued for (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`)",
        )

    def _order(self, chain: list[x509.Certificate]) -> list[Problem]:
        if len(chain) > tls.MAX_CHAIN_CERTIFICATES:
            return [
                (
                    self.cert_at,
                    f"{len(chain)} certificates: a server chain is the certificate and its "
                    f"intermediates, at most {tls.MAX_CHAIN_CERTIFICATES} here; leave "
                    "out the root and anything else",
                )
            ]
        for i in range(len(chain) - 1):
            cert, issuer = chain[i], chain[i + 1]
            try:
                cert.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature):
                return [
                    (
                        self.cert_at,
                        f"the chain is not in order: certificate {i + 1} is not issued by "
                        f"certificate {i + 2}; put the server certificate first, then each "
                        "issuer in turn",
                    )
                ]
        return []

    def _validity(
        self, leaf: x509.Certificate, now: datetime
    ) -> tuple[list[Problem], list[Problem]]:
        after, before = leaf.not_valid_after_utc, leaf.not_valid_before_utc
        if after <= now:
            return [
                (
                    self.cert_at,
                    f"the certificate expired on {after:%Y-%m-%d}: renew it and set the new "
                    "certificate and key",
                )
            ], []
        if before > now:
            return [
                (
                    self.cert_at,
                    f"the certificate is not valid before {before:%Y-%m-%d %H:%M} UTC: check "
                    "the issuer's clock or wait",
                )
            ], []
        if after - now < timedelta(days=tls.EXPIRY_WARNING_DAYS):
            days = (after - now).days
            return [], [
                (
                    self.cert_at,
                    f"the certificate expires in {days} day(s), on {after:%Y-%m-%d}: renew it soon",
                )
            ]
        return [], []

    def _covers(self, leaf: x509.Certificate, cname: str) -> list[Problem]:
        try:
            names = leaf.extensions.get_extension_for_class(
                x509.SubjectAlternativeName
            ).value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        if any(tls.host_matches(name, cname) for name in names):
            return []
        listed = ", ".join(sorted(names)) or "no DNS names (clients ignore the subject CN)"
        return [
            (
                self.cert_at,
                f"the certificate does not cover sslCname '{cname}' (its subjectAltName has "
                f"{listed}): issue it for {cname} or a wildcard of its parent domain",
            )
        ]


def _public(key) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _passphrase_message() -> str:
    return (
        f"the private key is protected by a passphrase, which azureml-fe does not support: "
        f"{_PASSPHRASE_FIX}"
    )
