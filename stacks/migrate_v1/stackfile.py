"""The stack file side of --into: its config as the stack's validation takes it (secure values
as secrets with a placeholder, never decrypted), that validation, and the atomic rewrite."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from catalog.tokens import PREVIEW_SECRET_PLACEHOLDER
from common import cli, files
from common.config import has_secure, is_secure
from stacks.migrate_v1.reading import MigrationError
from stacks.settings import SettingsError, parse
from stacks.settings.stack import PROJECT


class WriteFailed(Exception):
    """The stack file could not be replaced; it is unchanged. The message says why."""


def project_dir(path: Path) -> Path:
    """Where pulumi runs for this stack file (PEM file paths are relative to it): the nearest
    directory up from the file that holds a Pulumi.yaml, else the file's own directory."""
    directory = path.absolute().parent
    for candidate in (directory, *directory.parents):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    return directory


def values(config: dict[Any, Any]) -> tuple[dict[str, str], set[str]]:
    """The config as the Pulumi runtime gives it to a program: 'namespace:key' -> string,
    objects JSON-encoded; a key holding a secure value is a secret with a placeholder value."""
    flat: dict[str, str] = {}
    secrets: set[str] = set()
    for key, value in config.items():
        full = str(key) if ":" in str(key) else f"{PROJECT}:{key}"
        if has_secure(value):
            secrets.add(full)
            value = _placeholder(value)
        if isinstance(value, (dict, list)):
            flat[full] = json.dumps(value, default=str)
        elif isinstance(value, bool):
            flat[full] = "true" if value else "false"
        else:
            flat[full] = "" if value is None else str(value)
    return flat, secrets


def _placeholder(value: Any) -> Any:
    if is_secure(value):
        return PREVIEW_SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {k: _placeholder(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholder(v) for v in value]
    return value


def validate(
    merged: dict[Any, Any], original: dict[Any, Any], shown: str, directory: Path
) -> list[tuple[str, str]]:
    """The warnings of the merged stack, or a MigrationError with its problems (said to be the
    stack's own when the stack was already invalid before the merge)."""
    warnings: list[tuple[str, str]] = []
    flat, secrets = values(merged)
    try:
        parse(flat, secrets, shown, directory, warnings)
    except SettingsError as err:
        merged_errors = err.errors
    else:
        return warnings
    flat, secrets = values(original)
    try:
        parse(flat, secrets, shown, directory)
    except SettingsError as err:
        note = " (so before the merge too: fix the stack first; nothing was written)"
        problems = [(where, message + note) for where, message in err.errors]
        raise MigrationError(shown, problems) from None
    closing = ("file", "the merged stack would be invalid; nothing was written")
    raise MigrationError(shown, [*merged_errors, closing])


def same(a: Any, b: Any) -> bool:
    """Equal documents, types and key order included (`true` is not `1`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b or (a != a and b != b))  # NaN reads back as NaN


def write_atomically(path: Path, text: str, original: bytes, shown: str) -> None:
    """Replace the file with `text`: a temporary file in its directory, then os.replace, and
    only when the file still holds `original`. The temporary file never outlives the call,
    even on Ctrl-C or SIGTERM (common.cli runs the cleanup)."""
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise WriteFailed(
            f"{shown}: cannot write: {err.strerror or err}; it is unchanged"
        ) from None

    replaced = False

    def remove() -> None:
        if not replaced:
            with suppress(OSError):
                os.unlink(temp)

    cleanup = cli.on_exit(remove)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        if files.read_bytes(target, shown) != original:
            raise MigrationError(
                shown, [("file", "changed while this ran; nothing was written: run again")]
            )
        os.replace(temp, target)
        replaced = True
        _sync(target.parent)
    except files.InputFileError as err:
        raise MigrationError(err.file, [(err.where, err.message)]) from None
    except OSError as err:
        raise WriteFailed(
            f"{shown}: cannot write: {err.strerror or err}; it is unchanged"
        ) from None
    finally:
        cli.cancel_on_exit(cleanup)
        remove()


def _sync(directory: Path) -> None:
    """Make the rename durable (best effort: not every file system syncs a directory)."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
