"""Secure config values of a stack on Pulumi's passphrase secrets provider, decrypted offline.

The algorithm is pulumi's (pkg/secrets/passphrase and sdk/go/common/resource/config/crypt.go):
the key is PBKDF2-HMAC-SHA256 of the passphrase over the stack's salt, 1,000,000 iterations,
32 bytes; a value is `v1:<base64 nonce>:<base64 AES-256-GCM ciphertext with its tag>`. The stack
file's `encryptionsalt` is `v1:<base64 salt>:<the word "pulumi" encrypted with the key>`, which is
how a wrong passphrase is told from a right one.

The passphrase is found as the pulumi CLI finds it (pkg/secrets/passphrase, readPassphrase):
PULUMI_CONFIG_PASSPHRASE when it is set, even empty; else, when PULUMI_CONFIG_PASSPHRASE_FILE is
set and not empty, that file's content with the white space around it trimmed. The file is read
by the bounded reader (a regular file of at most 64 KiB, strict UTF-8): a missing, unreadable or
non-UTF-8 one is invalid input naming the file, never a stack previewed with placeholders.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from common import files

ITERATIONS = 1_000_000
KEY_BYTES = 32
NONCE_BYTES = 12
CHECK_WORD = "pulumi"
ENV = "PULUMI_CONFIG_PASSPHRASE"
FILE_ENV = "PULUMI_CONFIG_PASSPHRASE_FILE"
MAX_FILE_BYTES = 64 * 1024


class PassphraseError(Exception):
    """The salt or a value is malformed, or the passphrase is not this stack's."""


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The passphrase, or None when neither variable gives one. A passphrase file that cannot
    be used is files.InputFileError naming it (the message never holds the passphrase)."""
    environ = os.environ if environ is None else environ
    if ENV in environ:
        phrase = environ[ENV]
        try:
            phrase.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 reach Python as surrogates
            raise files.InputFileError(
                ENV, "environment", "the passphrase is not UTF-8 text; give it as UTF-8"
            ) from None
        return phrase
    path = environ.get(FILE_ENV)
    if not path:
        return None
    shown = f"{path} ({FILE_ENV})"
    data = files.read_bytes(os.path.abspath(path), shown, MAX_FILE_BYTES)
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise files.InputFileError(
            shown, "file", f"the passphrase is not UTF-8 (byte {err.start}); save it as UTF-8"
        ) from None


def derive_key(passphrase: str, salt: bytes) -> bytes:
    try:
        data = passphrase.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 reach Python as surrogates
        raise PassphraseError("the passphrase is not UTF-8 text; give it as UTF-8") from None
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, iterations=ITERATIONS)
    return kdf.derive(data)


def encrypt(key: bytes, plaintext: str, nonce: bytes) -> str:
    """For tests and tooling; pulumi draws the nonce at random."""
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def decrypt(key: bytes, value: str) -> str:
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "v1":
        raise PassphraseError("not a passphrase-encrypted value (expected v1:<nonce>:<data>)")
    try:
        nonce, sealed = (
            base64.b64decode(parts[1], validate=True),
            base64.b64decode(parts[2], validate=True),
        )
        return AESGCM(key).decrypt(nonce, sealed, None).decode()
    except (binascii.Error, ValueError, InvalidTag, UnicodeDecodeError):
        raise PassphraseError("cannot be decrypted with this passphrase") from None


def key_for_stack(encryption_salt: str, passphrase: str) -> bytes:
    """The stack's key, checked against the salt's encrypted check word."""
    parts = encryption_salt.split(":", 2)
    if len(parts) != 3 or parts[0] != "v1":
        raise PassphraseError("encryptionsalt is not of the form v1:<salt>:<check>")
    try:
        salt = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise PassphraseError("encryptionsalt's salt is not base64") from None
    key = derive_key(passphrase, salt)
    try:
        word = decrypt(key, parts[2])
    except PassphraseError:
        word = None
    if word != CHECK_WORD:
        raise PassphraseError(f"incorrect passphrase ({ENV} or {FILE_ENV}) for this stack")
    return key
