"""Policy pack config as the pulumi engine handles it: the `--policy-pack-config` file format,
the layers of each policy's effective config, and validation against each policy's schema with
gojsonschema's messages (pkg/resource/analyzer config.go, ReconcilePolicyPackConfig)."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
from google.protobuf import json_format

from common import files
from preflight.sdk import analyzer_pb2

LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
LEVEL_CODES = {v: k for k, v in LEVELS.items()}
MAX_POLICY_CONFIG_BYTES = 1024 * 1024


class PolicyConfigError(Exception):
    """The policy config is malformed, or does not validate against a policy's schema (be it the
    file's values, the pack's initial config or the schema's own defaults). `problems` are
    (where, message) pairs."""

    def __init__(self, message: str, problems: list[tuple[str, str]]):
        super().__init__(message)
        self.problems = problems


def load_policy_config(path: str | None) -> dict[str, dict[str, Any]]:
    """The `--policy-pack-config` JSON format, parsed as the engine parses it: policy (or "all")
    -> level, or an object whose optional `enforcementLevel` is a level and whose other keys are
    the policy's properties. Empty files are allowed."""
    if not path:
        return {}
    try:
        text = files.read_text(path, path, MAX_POLICY_CONFIG_BYTES)
        if not text.strip():
            return {}
        raw = files.parse_json(text, path)
    except files.InputFileError as err:
        raise PolicyConfigError(f"{path}: {err.message}", [("file", err.message)]) from None
    if not isinstance(raw, dict):
        why = "must be a JSON object of policy name -> enforcement level or settings"
        raise PolicyConfigError(f"{path}: {why}", [("file", why)])
    out: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        if not isinstance(value, dict):
            why = f"{json.dumps(value)} is not a valid value; must be a string or object"
            raise PolicyConfigError(f"{path}: {name}: {why}", [(name, why)])
        value = dict(value)
        if "enforcementLevel" in value:
            level = value["enforcementLevel"]
            if not isinstance(level, str) or level not in LEVEL_CODES:
                why = (
                    f"enforcementLevel {json.dumps(level)} is not a valid enforcement level; "
                    f"use one of {', '.join(LEVEL_CODES)}"
                )
                raise PolicyConfigError(f"{path}: {name}: {why}", [(name, why)])
        out[name] = value
    return out


def reconcile(
    info, initial: dict[str, dict], file_config: dict[str, dict]
) -> dict[str, dict[str, Any]]:
    """Each policy's effective config, as ReconcilePolicyPackConfig builds it: the policy's level
    and its schema's defaults, then the pack's initial config, then the file; in each layer "all"
    sets every level first."""
    names = [p.name for p in info.policies]
    unknown = sorted(set(file_config) - set(names) - {"all"})
    if unknown:
        # The engine ignores such a key; a gate should not let a misspelt policy name pass.
        raise PolicyConfigError(
            f"unknown policy '{unknown[0]}' in the policy config; the pack has: {', '.join(names)}",
            [(unknown[0], "unknown policy")],
        )
    out: dict[str, dict[str, Any]] = {}
    for p in info.policies:
        schema = json_format.MessageToDict(p.configSchema.properties)
        out[p.name] = {"enforcementLevel": LEVELS[p.enforcementLevel]} | {
            k: v["default"] for k, v in schema.items() if isinstance(v, dict) and "default" in v
        }
    for layer in (initial, file_config):
        if "all" in layer and "enforcementLevel" in layer["all"]:
            for config in out.values():
                config["enforcementLevel"] = layer["all"]["enforcementLevel"]
        for name, given in layer.items():
            if name in out:
                out[name].update(given)
    return out


def validate(info, effective: dict[str, dict[str, Any]]) -> None:
    """Each policy's properties against its config schema, reported as the engine reports."""
    problems: list[tuple[str, str]] = []
    for p in info.policies:
        if not p.HasField("configSchema"):
            continue
        schema: dict[str, Any] = {"type": "object"}
        properties = json_format.MessageToDict(p.configSchema.properties)
        if properties:
            schema["properties"] = properties
        if p.configSchema.required:
            schema["required"] = list(p.configSchema.required)
        props = {k: v for k, v in effective[p.name].items() if k != "enforcementLevel"}
        try:
            errors = list(jsonschema.Draft7Validator(schema).iter_errors(props))
        except (jsonschema.SchemaError, RecursionError) as err:
            problems.append((p.name, f"invalid config schema: {str(err).splitlines()[0]}"))
            continue
        problems += sorted((p.name, _gojsonschema_message(e)) for e in errors)
    if problems:
        lines = [f"{info.name} {info.version}  {name}: {message}" for name, message in problems]
        raise PolicyConfigError("validating policy config: " + "; ".join(lines), problems)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _gojsonschema_message(error: jsonschema.ValidationError) -> str:
    """jsonschema's error in gojsonschema's words, as `pulumi preview` prints them."""
    where = ".".join(str(p) for p in error.absolute_path)
    name = where.rsplit(".", 1)[-1] if where else "(root)"
    expected = error.validator_value
    if isinstance(expected, float) and expected.is_integer():
        expected = int(expected)  # a Struct carries every number as a double
    text = {
        "type": lambda: f"Invalid type. Expected: {expected}, given: {_json_type(error.instance)}",
        "maxLength": lambda: f"String length must be less than or equal to {expected}",
        "minLength": lambda: f"String length must be greater than or equal to {expected}",
        "enum": lambda: (
            f"{name} must be one of the following: "
            + ", ".join(json.dumps(v) for v in (expected if isinstance(expected, list) else []))
        ),
        "const": lambda: f"{name} does not match: {json.dumps(expected)}",
        "minimum": lambda: f"Must be greater than or equal to {expected}",
        "maximum": lambda: f"Must be less than or equal to {expected}",
        "pattern": lambda: f"Does not match pattern '{expected}'",
    }
    if error.validator == "required":
        missing = re.match(r"'([^']*)' is a required property", error.message)
        return f"{missing.group(1) if missing else error.message} is required"
    message = text[error.validator]() if error.validator in text else error.message
    return f"{where}: {message}" if where else message
