"""A stack file's `config:` value as the Pulumi runtime holds it: a string, objects and lists as
JSON, booleans as `true`/`false`, null as empty (the language host's form, which the settings
read). Shared by preflight's stack files and the fleet inventory's sites."""

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
