"""Pulumi project and stack files, read the way the pulumi CLI reads them, within bounds.

A stack file's `config:` becomes the flat `project:key -> string` map the language host gives a
program (objects and lists JSON-encoded). Secure values are decrypted when the stack is on the
passphrase secrets provider and PULUMI_CONFIG_PASSPHRASE is set (preflight/program/passphrase.py);
otherwise they become a placeholder. Either way the key stays marked secret, whatever its name.

Every file is read by the project's one bounded reader (common.files): its size, UTF-8, nesting
depth; YAML aliases (the "billion laughs" bomb) and duplicate keys are refused.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.tokens import PREVIEW_CONFIG_FILE_ENV
from catalog.tokens import PREVIEW_SECRET_PLACEHOLDER as SECRET_PLACEHOLDER
from common import files
from common.config import has_secure, is_secure, runtime_value
from preflight.program import passphrase

# The stack settings read the name of the file their config came from here, to name it in errors.
CONFIG_FILE_ENV = PREVIEW_CONFIG_FILE_ENV
MAX_FILE_BYTES = files.MAX_FILE_BYTES
# pulumi's own rule for stack names (sdk/go/common/tokens).
STACK_NAME = re.compile(r"\A[A-Za-z0-9_.-]{1,100}\Z")


# A project or stack file that cannot be used; `where` names the key at fault.
StackFileError = files.InputFileError


@dataclass(frozen=True)
class Project:
    directory: Path
    name: str
    main: Path
    stack_config_dir: Path


@dataclass(frozen=True)
class StackConfig:
    file: str  # as given or found, for messages ("" when the stack has no file)
    stack: str
    config: dict[str, str]
    secret_keys: list[str]
    secret_values: tuple[str, ...] = ()  # every secret string, for redaction of all output


def _load_yaml(path: Path, shown: str) -> Any:
    return files.load_yaml(path, shown, MAX_FILE_BYTES)


def load_project(directory: Path) -> Project:
    shown = str(directory / "Pulumi.yaml")
    data = _load_yaml(directory / "Pulumi.yaml", shown)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise StackFileError(shown, "name", "a Pulumi project file needs a name")
    config_dir = data.get("stackConfigDir") or "."
    if not isinstance(config_dir, str):
        raise StackFileError(shown, "stackConfigDir", "must be a directory path")
    return Project(
        directory, data["name"], _main(directory, data.get("main"), shown), directory / config_dir
    )


def _main(directory: Path, main: Any, shown: str) -> Path:
    """The program's entry file, as the Python language host finds it: `main` may name a file or
    a directory holding __main__.py; it must stay inside the program directory."""
    if main is not None and (not isinstance(main, str) or not main):
        raise StackFileError(shown, "main", "must be a file or directory path")
    path = (directory / (main or ".")).resolve()
    if path.is_dir():
        path = path / "__main__.py"
    if not path.is_relative_to(directory.resolve()):
        raise StackFileError(shown, "main", f"'{main}' is outside the program directory")
    if not path.is_file():
        raise StackFileError(
            shown,
            "main",
            f"{os.path.relpath(path, directory)} does not exist (the program's entry)",
        )
    return path


def own_stack_file(project: Project, stack: str) -> Path | None:
    """The stack's file, or None when it has none."""
    for suffix in ("yaml", "yml"):
        path = project.stack_config_dir / f"Pulumi.{stack}.{suffix}"
        if path.is_file():
            return path
    return None


def find_stack_file(project: Project, stack: str) -> Path | None:
    """The stack's file; None when the program has no stack file at all (a fresh stack, as
    `pulumi preview` runs it with empty config)."""
    path = own_stack_file(project, stack)
    if path is not None:
        return path
    known = sorted(p.name.split(".")[1] for p in project.stack_config_dir.glob("Pulumi.*.y*ml"))
    if not known:
        return None
    raise StackFileError(
        str(project.stack_config_dir / f"Pulumi.{stack}.yaml"),
        "file",
        f"no such stack; known stacks: {', '.join(known)}",
    )


def empty_stack(stack: str) -> StackConfig:
    return StackConfig("", stack, {}, [])


def load_stack(path: Path, project: Project, shown: str) -> StackConfig:
    data = _load_yaml(path, shown)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StackFileError(shown, "file", "a stack file is a mapping with a `config:` key")
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(shown, "config", "must be a mapping of key: value")
    reveal = _revealer(data.get("encryptionsalt"), shown)
    flat: dict[str, str] = {}
    secret_keys: list[str] = []
    secrets: set[str] = set()
    for key, value in config.items():
        key = str(key)
        full = key if ":" in key else f"{project.name}:{key}"
        if has_secure(value):
            # Any secure value makes the whole key secret, whatever the key is called.
            secret_keys.append(full)
            value = _reveal(value, reveal, f"config.{key}", shown)
            secrets.update(_strings(value))
        flat[full] = runtime_value(value)
    name = path.name
    stack = name.split(".")[1] if name.startswith("Pulumi.") and name.count(".") >= 2 else path.stem
    secrets.update(flat[k] for k in secret_keys)
    return StackConfig(shown, stack, flat, sorted(secret_keys), tuple(sorted(secrets)))


def _revealer(salt: Any, shown: str):
    """Decrypts secure values when the passphrase is given, else stands a placeholder in."""
    phrase = passphrase.from_environment() if salt else None
    if not salt or phrase is None:
        return lambda _cipher: SECRET_PLACEHOLDER
    if not isinstance(salt, str):
        raise StackFileError(shown, "encryptionsalt", "must be a string")
    try:
        key = passphrase.key_for_stack(salt, phrase)
    except passphrase.PassphraseError as err:
        raise StackFileError(shown, "encryptionsalt", str(err)) from None
    return lambda cipher: passphrase.decrypt(key, cipher)


def _reveal(value: Any, reveal, where: str, shown: str) -> Any:
    if is_secure(value):
        if not isinstance(value["secure"], str):
            raise StackFileError(shown, where, "a secure value is a string")
        try:
            return reveal(value["secure"])
        except passphrase.PassphraseError as err:
            raise StackFileError(shown, where, str(err)) from None
    if isinstance(value, dict):
        return {k: _reveal(v, reveal, f"{where}.{k}", shown) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v, reveal, f"{where}[{i}]", shown) for i, v in enumerate(value)]
    return value


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if value not in (None, "") else []
