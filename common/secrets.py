"""Secret material in plain values, found by its structure, never by a word in the text.

A value is secret material when it is (or, base64-decoded, contains):
- a PEM private key: the armour line `-----BEGIN ... PRIVATE KEY-----` (PKCS#1, PKCS#8, EC,
  OpenSSH, encrypted);
- a kubeconfig with credentials: a YAML or JSON mapping of `kind: Config` whose users carry a
  token, a password, or client-key data;
- a JSON Web Token: three base64url parts whose first decodes to a JSON header with "alg";
- an Azure connection string with a key (`AccountKey=`, `SharedAccessKey=`) or a SAS signature
  (`sig=` in a query string).
A certificate alone (public) is not secret. Where a value is found, the finding names its path
and what it is, never the value.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

_PEM_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_JWT = re.compile(r"\b(eyJ[A-Za-z0-9_-]{4,})\.([A-Za-z0-9_-]{4,})\.([A-Za-z0-9_-]*)")
_CONNECTION_KEY = re.compile(r"(?:^|;)\s*(AccountKey|SharedAccessKey)\s*=\s*[^;\s]{8,}", re.I)
_SAS = re.compile(r"[?&]sig=[A-Za-z0-9%/+=]{16,}")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]{64,}")
_KUBECONFIG_CREDENTIALS = ("token", "password", "client-key-data", "client-key")
# Past this size a string is not parsed as YAML (a kubeconfig is a few KiB); PEM and the
# patterns above still apply, linearly.
MAX_PARSED = 1 << 20


def _is_jwt(text: str) -> bool:
    for match in _JWT.finditer(text):
        header = match.group(1)
        try:
            decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
            data = json.loads(decoded)
        except (binascii.Error, ValueError):
            continue
        if isinstance(data, dict) and "alg" in data:
            return True
    return False


def _kubeconfig(value: object) -> bool:
    if not isinstance(value, dict) or value.get("kind") != "Config":
        return False
    users = value.get("users")
    if not isinstance(users, list):
        return False
    for entry in users:
        user = entry.get("user") if isinstance(entry, dict) else None
        if isinstance(user, dict) and any(user.get(key) for key in _KUBECONFIG_CREDENTIALS):
            return True
    return False


def _parsed_kubeconfig(text: str) -> bool:
    if "Config" not in text or len(text) > MAX_PARSED:
        return False
    try:
        loaded = yaml.safe_load(text)  # JSON is YAML too
    except (yaml.YAMLError, ValueError, RecursionError):
        return False
    return _kubeconfig(loaded)


def kind_of(text: str) -> str | None:
    """What secret material `text` holds, or None."""
    if _PEM_PRIVATE_KEY.search(text):
        return "a PEM private key"
    if _parsed_kubeconfig(text):
        return "a kubeconfig with credentials"
    if _is_jwt(text):
        return "a token (JWT)"
    if _CONNECTION_KEY.search(text) or _SAS.search(text):
        return "an Azure key or SAS signature"
    stripped = text.strip()
    if _BASE64.fullmatch(stripped):
        try:
            decoded = base64.b64decode("".join(stripped.split()), validate=True)
            inner = decoded.decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        found = kind_of(inner) if inner != text else None
        return f"{found} (base64)" if found else None
    return None


def find(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, what) for each secret found in a parsed document: strings anywhere (keys and
    values), and mappings that are kubeconfigs themselves."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    while pending:
        at, item = pending.pop()
        if isinstance(item, dict):
            if _kubeconfig(item):
                yield at, "a kubeconfig with credentials"
                continue
            for key in sorted(item, key=str, reverse=True):
                if isinstance(key, str) and (found := kind_of(key)):
                    yield (*at, key), f"{found} (in a key)"
                pending.append(((*at, key), item[key]))
        elif isinstance(item, list):
            pending += [((*at, i), element) for i, element in reversed(list(enumerate(item)))]
        elif isinstance(item, str) and (found := kind_of(item)):
            yield at, found
