"""Raw config values (as the Pulumi runtime holds them) to validated settings, or every problem.

Values arrive as 'namespace:key' -> string, objects JSON-encoded. Only the project's namespace and
the azure-native keys the stack uses are read; unknown project keys are errors with a suggestion.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from catalog.tokens import PREVIEW_SECRET_PLACEHOLDER
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
            if full_key in secrets and raw == PREVIEW_SECRET_PLACEHOLDER:
                errors += _unreadable(full_key, key, warnings)
                continue
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
    shield = _Shield(values, secrets)
    if warnings is not None:
        warnings[:] = [shield.rendered(w) for w in warnings]
    if errors or settings is None:
        raise SettingsError(file, [shield.rendered(e) for e in errors])
    return settings


def _unreadable(
    full_key: str, key: str, warnings: list[tuple[str, str]] | None
) -> list[tuple[str, str]]:
    """A secure azure-native value without the passphrase: the subscription is previewed as
    unknown (its checks skipped); the region decides too much to guess."""
    path = f"config.{full_key}"
    if key == "subscriptionId":
        if warnings is not None:
            warnings.append(
                (
                    path,
                    "is a secret and no passphrase is given: previewed as the signed-in "
                    "identity's subscription, its checks skipped (set PULUMI_CONFIG_PASSPHRASE "
                    "or PULUMI_CONFIG_PASSPHRASE_FILE to check it)",
                )
            )
        return []
    return [
        (
            path,
            "is a secret and no passphrase is given, but the region decides hosts, ranges and "
            "names: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, or store it "
            "as a plain value (a region is no secret)",
        )
    ]


# Suggestions computed from a value ("did you mean 'westeurope'?") tell what the value is like.
_SUGGESTION = re.compile(r"[:;,]?\s*did you mean [^;]*\?")


class _Shield:
    """Messages never quote a secure config value: every message has the secret values cut out,
    and one under a secret key also loses suggestions computed from the value ("did you mean
    ...?" would tell what the secret is like)."""

    def __init__(self, values: dict[str, Any], secrets: set[str]):
        self._keys = [f"config.{key}" for key in sorted(secrets)]
        found: set[str] = set()
        for key in secrets:
            _strings(_decode(values.get(key)), found)
        # Longest first, so a secret containing another is cut whole; one-letter strings would
        # cut words apart and tell nothing.
        self._secrets = sorted((v for v in found if len(v) > 1), key=len, reverse=True)

    def rendered(self, item: tuple[str, str]) -> tuple[str, str]:
        path, message = item
        message = self._cut(message)
        if any(path == k or path.startswith((k + ".", k + "[")) for k in self._keys):
            message = _SUGGESTION.sub("", message).strip()
        return path, message

    def _cut(self, message: str) -> str:
        for value in self._secrets:
            for form in (repr(value), json.dumps(value), value):
                message = message.replace(form, "[secret]")
        return message


def _strings(value: Any, into: set[str]) -> None:
    if isinstance(value, str):
        into.add(value)
        into.update(line for line in value.splitlines() if line.strip())
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, into)
    elif isinstance(value, list):
        for item in value:
            _strings(item, into)


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
