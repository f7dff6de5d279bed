"""A stack file's `config:` values: as the Pulumi runtime holds them (a string, objects and lists
as JSON, booleans as `true`/`false`, null as empty: the language host's form, which the settings
read), and which of them are `secure:` (encrypted) values. Shared by preflight's stack files and
the fleet inventory's sites."""

from __future__ import annotations

import json
from typing import Any


def runtime_value(value: Any) -> str:
    """The runtime's string for `value`; TypeError or ValueError for what JSON cannot hold."""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def is_secure(value: Any) -> bool:
    """`{secure: <ciphertext>}`, as `pulumi config set --secret` writes it."""
    return isinstance(value, dict) and set(value) == {"secure"}


def has_secure(value: Any) -> bool:
    """A secure value, or one anywhere inside an object or a list."""
    if isinstance(value, dict):
        return is_secure(value) or any(has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(has_secure(v) for v in value)
    return False
