"""One bounded reader for every input file: stack and project files, inventories, migrate_v1
inputs, router CSVs, PEMs, plans.

A file is read only when it is a regular file (a FIFO or a device such as /dev/zero is refused
before anything is read, so nothing blocks), at most `limit` bytes, as strict UTF-8. YAML is
read without aliases (the "billion laughs" bomb), duplicate keys (the second silently wins in
most readers) or nesting deeper than `max_depth`; JSON likewise, and without NaN or Infinity.
Numbers in text are ASCII numbers: Python's float() and int() also read "1_000", " ١٢ " and
full-width digits, which no other tool would. Every problem is an InputFileError naming the
file and where in it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class InputFileError(Exception):
    """An input file that cannot be used; `where` names the key, line or "file"."""

    def __init__(self, file: str, where: str, message: str) -> None:
        super().__init__(f"{file}: {where}: {message}")
        self.file, self.where, self.message = file, where, message


def read_bytes(path: str | Path, shown: str | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit`."""
    shown = str(path) if shown is None else shown
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise InputFileError(shown, "file", f"cannot read: {err.strerror or err}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputFileError(shown, "file", "cannot read: not a regular file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        if err.errno == errno.EISDIR:
            raise InputFileError(shown, "file", "cannot read: not a regular file") from None
        raise InputFileError(shown, "file", f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputFileError(shown, "file", f"larger than {_size(limit)}")
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputFileError(
            shown, "file", f"not UTF-8 (byte {err.start}); save it as UTF-8"
        ) from None


def read_text(path: str | Path, shown: str | None = None, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's text: at most `limit` bytes of strict UTF-8."""
    shown = str(path) if shown is None else shown
    return decode(read_bytes(path, shown, limit), shown)


class _PlainKeys:
    """construct_mapping without duplicate keys (the second silently wins in most readers) or
    keys that are collections."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            if isinstance(key, (dict, list)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


def _mapping(loader, node: yaml.MappingNode) -> dict:
    return loader.construct_mapping(node, deep=True)


class _BoundedLoader(_PlainKeys, yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys or unbounded nesting (without libyaml)."""

    max_depth = MAX_DEPTH

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"YAML aliases (*{event.anchor}) are not allowed", event.start_mark
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > self.max_depth:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested deeper than {self.max_depth} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_BoundedLoader.add_constructor("tag:yaml.org,2002:map", _mapping)

# With libyaml (PyYAML's C parser, 20 to 50 times faster on a large file), the events are checked
# first (aliases, depth), then the document is composed and constructed in C and Python.
_C_LOADER: Any = getattr(yaml, "CSafeLoader", None)
_FastLoader: Any = type("_FastLoader", (_PlainKeys, _C_LOADER), {}) if _C_LOADER else None
if _FastLoader is not None:
    _FastLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_events(text: str, max_depth: int) -> None:
    """Aliases and nesting, counted as the composer counts nodes (a scalar is one more)."""
    level = 0
    for event in yaml.parse(text, Loader=_C_LOADER):
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, f"YAML aliases (*{event.anchor}) are not allowed", mark
            )
        if isinstance(event, _CLOSE):
            level -= 1
            continue
        if isinstance(event, (*_OPEN, yaml.ScalarEvent)) and level + 1 > max_depth:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {max_depth} levels", mark
            )
        if isinstance(event, _OPEN):
            level += 1


def parse_yaml(text: str, shown: str, max_depth: int = MAX_DEPTH) -> Any:
    """One YAML document, within the bounds above."""
    try:
        if _FastLoader is not None:
            _check_events(text, max_depth)
            return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a CSafeLoader subclass
        loader = type("Loader", (_BoundedLoader,), {"max_depth": max_depth})
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputFileError(shown, where, f"not valid YAML: {problem}") from None
    except RecursionError:
        raise InputFileError(shown, "file", f"nested deeper than {max_depth} levels") from None
    except ValueError as err:  # an integer of more digits than Python converts
        raise InputFileError(shown, "file", f"not valid YAML: {err}") from None


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply a parsed document nests (counted without recursion, stopping past `limit`)."""
    pending, deepest = [(value, 1)], 0
    while pending:
        item, level = pending.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            break
        if isinstance(item, dict):
            pending += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            pending += [(v, level + 1) for v in item]
    return deepest


def _no_duplicates(shown: str):
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise InputFileError(shown, "file", f"not valid JSON: duplicate key '{key}'")
            seen[key] = value
        return seen

    return hook


def _no_constant(shown: str):
    def refuse(name: str) -> float:
        raise InputFileError(shown, "file", f"not valid JSON: {name} is not a JSON number")

    return refuse


def parse_json(text: str, shown: str, max_depth: int = MAX_DEPTH) -> Any:
    """One JSON document, within the bounds above."""
    try:
        value = json.loads(
            text, object_pairs_hook=_no_duplicates(shown), parse_constant=_no_constant(shown)
        )
    except json.JSONDecodeError as err:
        raise InputFileError(
            shown, f"line {err.lineno}, column {err.colno}", f"not valid JSON: {err.msg}"
        ) from None
    except RecursionError:
        raise InputFileError(shown, "file", f"nested deeper than {max_depth} levels") from None
    except ValueError as err:  # an integer of more digits than Python converts
        raise InputFileError(shown, "file", f"not valid JSON: {err}") from None
    if depth(value, max_depth) > max_depth:
        raise InputFileError(shown, "file", f"nested deeper than {max_depth} levels")
    return value


def load_yaml(path: str | Path, shown: str | None = None, limit: int = MAX_FILE_BYTES) -> Any:
    shown = str(path) if shown is None else shown
    return parse_yaml(read_text(path, shown, limit), shown)


def load_json(path: str | Path, shown: str | None = None, limit: int = MAX_FILE_BYTES) -> Any:
    shown = str(path) if shown is None else shown
    return parse_json(read_text(path, shown, limit), shown)


def ascii_number(text: str) -> float | None:
    """A decimal number written in ASCII ("12", "-0.5", "1e3"), else None."""
    stripped = text.strip()
    return float(stripped) if _NUMBER.fullmatch(stripped) else None


def ascii_integer(text: str) -> int | None:
    """A whole number written in ASCII digits, else None."""
    stripped = text.strip()
    return int(stripped) if _INTEGER.fullmatch(stripped) and len(stripped) <= 30 else None
