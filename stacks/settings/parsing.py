"""Raw config values (as the Pulumi runtime holds them) to validated settings, or every problem.

Values arrive as 'namespace:key' -> string, objects JSON-encoded. Only the project's namespace and
the azure-native keys the stack uses are read; unknown project keys are errors with a suggestion.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stacks.settings.capacity import capacity_warnings
from stacks.settings.errors import Problem, SettingsError, describe, key_path, unknown_key
from stacks.settings.pem import with_pem_files
from stacks.settings.stack import AZURE_NATIVE_KEYS, PROJECT, Settings, project_keys, secret_keys

LOCATION_PATH = "config.azure-native:location"


def parse(
    values: dict[str, Any],
    secrets: set[str],
    file: str,
    project_dir: Path | None = None,
    warnings: list[tuple[str, str]] | None = None,
) -> Settings:
    """Validate raw config values; raise SettingsError naming `file` on any problem. What is
    valid but worth a warning (a certificate near expiry, replicas that cannot fit) is appended
    to `warnings` as (key path, message)."""
    data: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    known, secret = project_keys(), secret_keys()
    for full_key, raw in sorted(values.items()):
        namespace, _, key = full_key.partition(":")
        if namespace == "azure-native" and key in AZURE_NATIVE_KEYS:
            data[key] = raw
            continue
        if namespace != PROJECT:
            continue
        if key not in known:
            errors.append((f"config.{full_key}", unknown_key(key, known)))
        elif key in secret and full_key not in secrets:
            errors.append(
                (
                    f"config.{full_key}",
                    f"must be a secret: pulumi config set --secret {full_key} < file.pem (then "
                    "remove the plain value)",
                )
            )
        elif key not in secret and full_key in secrets:
            errors.append(
                (
                    f"config.{full_key}",
                    "is stored as a secret, but its values go into plain resource properties "
                    "where a secret would show: set it as a plain value (secrets belong in "
                    f"{', '.join(secret)})",
                )
            )
        else:
            data[key] = _decode(raw)
    if "location" not in data:
        errors.append(
            (
                LOCATION_PATH,
                "required: the Azure region, e.g. `pulumi config set azure-native:location "
                "westeurope`",
            )
        )
    settings = None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as err:
        described = describe(err, Settings, AZURE_NATIVE_KEYS, PROJECT)
        # A missing location is reported above, with how to set it.
        missing_location = "location" not in data
        errors += [e for e in described if not (missing_location and e[0] == LOCATION_PATH)]
    if settings is not None:
        checked = with_pem_files(settings, project_dir or Path.cwd())
        settings = checked.settings
        errors += [_rendered(problem) for problem in checked.problems]
        if warnings is not None:
            warnings += [_rendered(w) for w in checked.warnings + capacity_warnings(settings)]
    if errors or settings is None:
        raise SettingsError(file, errors)
    return settings


def _rendered(problem: Problem) -> tuple[str, str]:
    loc, message = problem
    return key_path(loc, AZURE_NATIVE_KEYS, PROJECT), message


def _decode(raw: Any) -> Any:
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped[:1] in ("{", "["):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError:
                return raw
    return raw
