"""Pulumi project and stack files, read the way the pulumi CLI reads them.

A stack file's `config:` becomes the flat `project:key -> string` map the language host gives a
program (objects and lists JSON-encoded). Secure values cannot be decrypted offline: they become a
placeholder and stay marked secret, so the program still treats them as secrets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "preflight-secret-placeholder"


class StackFileError(Exception):
    """The project or stack file cannot be used; `path` names the key at fault."""

    def __init__(self, file: str, path: str, message: str):
        super().__init__(f"{file}: {path}: {message}")
        self.file, self.path, self.message = file, path, message


@dataclass(frozen=True)
class Project:
    directory: Path
    name: str
    main: str
    stack_config_dir: Path


@dataclass(frozen=True)
class StackConfig:
    file: str  # as given or found, for messages
    stack: str
    config: dict[str, str]
    secret_keys: list[str]


def _load_yaml(path: Path, shown: str) -> Any:
    try:
        text = path.read_text()
    except OSError as err:
        raise StackFileError(shown, "file", f"cannot read: {err.strerror or err}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise StackFileError(shown, where, f"not valid YAML: {problem}") from None


def load_project(directory: Path) -> Project:
    shown = str(directory / "Pulumi.yaml")
    data = _load_yaml(directory / "Pulumi.yaml", shown)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise StackFileError(shown, "name", "a Pulumi project file needs a name")
    config_dir = data.get("stackConfigDir") or data.get("config") or "."
    return Project(
        directory, data["name"], data.get("main") or "__main__.py", directory / str(config_dir)
    )


def find_stack_file(project: Project, stack: str) -> Path:
    for suffix in ("yaml", "yml"):
        path = project.stack_config_dir / f"Pulumi.{stack}.{suffix}"
        if path.is_file():
            return path
    known = sorted(p.name.split(".")[1] for p in project.stack_config_dir.glob("Pulumi.*.y*ml"))
    raise StackFileError(
        str(project.stack_config_dir / f"Pulumi.{stack}.yaml"),
        "file",
        f"no such stack; known stacks: {', '.join(known) or 'none'}",
    )


def load_stack(path: Path, project: Project, shown: str) -> StackConfig:
    data = _load_yaml(path, shown)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StackFileError(shown, "file", "a stack file is a mapping with a `config:` key")
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(shown, "config", "must be a mapping of key: value")
    flat: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in config.items():
        key = str(key)
        full = key if ":" in key else f"{project.name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            flat[full] = SECRET_PLACEHOLDER
            secret_keys.append(full)
        elif isinstance(value, (dict, list)):
            if _has_secure(value):
                raise StackFileError(
                    shown,
                    f"config.{key}",
                    "secure values inside objects are "
                    "not supported offline; make the secret a key of its own",
                )
            flat[full] = json.dumps(value)
        elif isinstance(value, bool):
            flat[full] = "true" if value else "false"
        elif value is None:
            flat[full] = ""
        else:
            flat[full] = str(value)
    name = path.name
    stack = name.split(".")[1] if name.startswith("Pulumi.") and name.count(".") >= 2 else path.stem
    return StackConfig(shown, stack, flat, sorted(secret_keys))


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False
