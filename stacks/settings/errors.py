"""Error reporting: every problem as the stack file, the key path as written there, and the fix.

Pydantic's errors are turned into `config.<namespace>:<key>.<path>` paths with did-you-mean
suggestions for misspelt keys; cross-field problems keep their own paths.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from stacks.settings.cluster import AksClusterSettings, ArcClusterSettings

# A problem: its key path relative to the stack's config (first element the config key), and
# the message that says what is wrong and how to fix it.
Problem = tuple[tuple[str | int, ...], str]
# The cluster union's tags: pydantic puts them in paths, but they are not keys in the file.
_UNION_MEMBERS: dict[str, type[BaseModel]] = {"aks": AksClusterSettings, "arc": ArcClusterSettings}


class SettingsError(Exception):
    """Invalid stack settings. `errors` holds (key path, message) pairs; str() is the report."""

    def __init__(self, file: str, errors: list[tuple[str, str]]):
        self.file = file
        self.errors = errors
        lines = [f"{file}: {path}: {message}" for path, message in errors]
        plural = "s" if len(errors) != 1 else ""
        super().__init__(
            f"invalid stack settings ({len(errors)} problem{plural}):\n" + "\n".join(lines)
        )


class InventoryError(SettingsError):
    """A fleet inventory, or a site of it, that cannot be used; `errors` says where and why."""


class Problems(ValueError):
    """Several cross-field problems, each with its own key path."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def key_path(loc: tuple, azure_native_keys: tuple[str, ...], project: str) -> str:
    """('cluster', 'aks', 'nodePools', 0, 'name') -> config.azureml-k8s:cluster.nodePools[0].name"""
    if not loc:
        return "config"
    head, *rest = loc
    namespace = "azure-native" if head in azure_native_keys else project
    text = f"config.{namespace}:{head}"
    for part in rest:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in _UNION_MEMBERS:
            text += f".{part}"
    return text


def unknown_key(key: str, valid: list[str]) -> str:
    lowered = {v.lower(): v for v in valid}
    guess = lowered.get(key.lower()) or next(iter(difflib.get_close_matches(key, valid, n=1)), None)
    hint = f"; did you mean '{guess}'?" if guess else f"; valid keys: {', '.join(sorted(valid))}"
    return f"unknown key '{key}'{hint}"


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the key at `loc`, for did-you-mean suggestions."""
    model: Any = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        if part in _UNION_MEMBERS:
            model = _UNION_MEMBERS[part]
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def describe(
    err: ValidationError, root: type[BaseModel], azure_native_keys: tuple[str, ...], project: str
) -> list[tuple[str, str]]:
    """Pydantic's errors as (key path, message), in the file's words."""

    def path(loc: tuple) -> str:
        return key_path(loc, azure_native_keys, project)

    out: list[tuple[str, str]] = []
    for item in err.errors(include_url=False):
        loc = tuple(item["loc"])
        ctx_error = (item.get("ctx") or {}).get("error")
        if isinstance(ctx_error, Problems):
            out += [(path(loc + p), message) for p, message in ctx_error.problems]
            continue
        if item["type"] == "extra_forbidden":
            parent = _model_at(root, loc[:-1])
            valid = list(parent.model_fields) if parent else []
            out.append((path(loc), unknown_key(str(loc[-1]), valid)))
            continue
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required"
        elif item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            message = "kind must be 'aks' (create an AKS cluster) or 'arc' (attach an Arc cluster)"
        elif item["type"] == "literal_error":
            message = f"got {item['input']!r}; {message[0].lower()}{message[1:]}"
        out.append((path(loc), message))
    return out
