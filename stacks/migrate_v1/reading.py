"""A v1 file, read by the project's one bounded reader (common.files), then every key checked
against keys.py (a misspelt one gets a did-you-mean) and every value against its kind.

A number is a real int or float (never a bool), finite, and within its bounds; an ASCII numeric
string ("0.5") is read as the number it spells, any other string is refused. `null` means "not
set", as `az ml service show` prints unset settings. Every problem names the file and the key as
the file spells it, and all of a file's problems are reported at once.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import files
from stacks.migrate_v1 import keys
from stacks.migrate_v1.text import printable, quoted

MAX_FILE_BYTES = 1 << 20  # a deployment configuration is a few KiB; show output a few tens
MAX_FRACTION = 1_000_000  # cores or GB: anything larger is a typo
MAX_WHOLE = 2**31 - 1  # ARM's int32 properties
MAX_KEY_SHOWN = 80
DOC = "docs/migrate.md"

Problem = tuple[str, str]  # (where: the key as the file spells it, or "file"; the message)


class MigrationError(Exception):
    """The v1 file, a flag or the stack file cannot be migrated; one line per problem."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [printable(f"{self.file}: {where}: {message}") for where, message in self.problems]


@dataclass
class V1:
    """The settings of one v1 AKS web service, by internal name (keys.py)."""

    file: str  # as messages name it
    values: dict[str, Any] = field(default_factory=dict)
    spelled: dict[str, str] = field(default_factory=dict)  # internal name -> key in the file
    ignored: list[str] = field(default_factory=list)  # status keys of az ml service show

    def has(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def where(self, name: str) -> str:
        return self.spelled.get(name, name)

    def error(self, name: str, message: str) -> MigrationError:
        return MigrationError(self.file, [(self.where(name), message)])


def read_v1(path: Path, shown: str) -> V1:
    """The v1 settings of a JSON (by its .json suffix) or YAML file."""
    try:
        text = files.read_text(path, shown, MAX_FILE_BYTES)
        if path.suffix.lower() == ".json":
            raw = files.parse_json(text, shown)
        else:
            raw = files.parse_yaml(text, shown)
    except files.InputFileError as err:
        raise MigrationError(err.file, [(err.where, err.message)]) from None
    if not isinstance(raw, dict):
        raise MigrationError(
            shown,
            [("file", f"expected a mapping of v1 deployment settings ({DOC} lists them)")],
        )
    return flatten(raw, shown)


def flatten(raw: dict[Any, Any], shown: str = "v1") -> V1:
    """CLI entities (nested or dotted), SDK names and show output alike, by internal name."""
    v1 = V1(shown)
    problems: list[Problem] = []
    for key, value in raw.items():
        if not isinstance(key, str):
            problems.append((_key(str(key)), "not a v1 AKS web service setting: keys are names"))
        elif key in keys.GROUPS:
            _take_group(v1, key, value, problems)
        elif key in keys.STATUS_KEYS:
            v1.ignored.append(key)
        else:
            internal = keys.CLI_ENTITIES.get(key) or keys.ALIASES.get(key)
            if internal is None and key in keys.SDK_ARGUMENTS:
                internal = key
            if internal is None:
                problems.append((_key(key), unknown(key, keys.top_level_keys())))
            else:
                _put(v1, internal, key, value, problems)
    if problems:
        raise MigrationError(shown, problems)
    return v1


def _take_group(v1: V1, group: str, value: Any, problems: list[Problem]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        problems.append((group, f"expected a mapping of {group}.* settings (got {quoted(value)})"))
        return
    entities = [entity for entity in keys.CLI_ENTITIES if entity.startswith(f"{group}.")]
    for inner, inner_value in value.items():
        entity = f"{group}.{inner}"
        internal = keys.CLI_ENTITIES.get(entity)
        if internal is None:
            problems.append((_key(entity), unknown(entity, entities)))
        else:
            _put(v1, internal, entity, inner_value, problems)


def unknown(key: str, known: list[str]) -> str:
    """The message for a key that is not a v1 setting, with the nearest one that is."""
    guess = None
    if len(key) <= MAX_KEY_SHOWN:
        lowered = {name.lower(): name for name in known}
        close = difflib.get_close_matches(key, known, n=1)
        guess = lowered.get(key.lower()) or (close[0] if close else None)
    hint = (
        f"did you mean {guess!r}? ({DOC} lists every accepted key)"
        if guess
        else (f"{DOC} lists every accepted key")
    )
    return f"not a v1 AKS web service setting; {hint}"


def _key(key: str) -> str:
    shown = key if len(key) <= MAX_KEY_SHOWN else key[:MAX_KEY_SHOWN] + "..."
    return printable(shown)


def _put(v1: V1, internal: str, spelled: str, value: Any, problems: list[Problem]) -> None:
    if value is None:
        return  # not set
    checked, problem = checked_value(internal, value)
    if problem is not None:
        problems.append((spelled, problem))
        return
    if internal in v1.values:
        if _canonical(v1.values[internal]) != _canonical(checked):
            problems.append(
                (
                    spelled,
                    f"given twice, as {v1.spelled[internal]} and as {spelled}, with different "
                    "values: keep one",
                )
            )
        return
    v1.values[internal] = checked
    v1.spelled[internal] = spelled


def _canonical(value: Any) -> str:
    """Equal values give equal text, and `true` is not `1`."""
    return json.dumps(value, sort_keys=True)


def checked_value(internal: str, value: Any) -> tuple[Any, str | None]:
    """(the value as the mapping uses it, None) or (None, what is wrong with it)."""
    if internal in keys.FRACTIONS:
        return _number(value, whole=False, minimum=0)
    if internal in keys.WHOLE:
        return _number(value, whole=True, minimum=keys.WHOLE[internal])
    if internal in keys.FLAGS:
        ok = isinstance(value, bool)
        return (value, None) if ok else (None, f"must be true or false (got {quoted(value)})")
    if internal in keys.TEXTS:
        ok = isinstance(value, str)
        return (value, None) if ok else (None, f"must be a string (got {quoted(value)})")
    if internal in keys.SECRETS:  # its value is never shown, not even in an error
        return (value, None) if isinstance(value, str) else (None, "must be a string")
    if internal in keys.MAPPINGS:
        ok = isinstance(value, dict)
        return (value, None) if ok else (None, f"must be a mapping (got {quoted(value)})")
    ok = isinstance(value, list)  # keys.LISTS
    return (value, None) if ok else (None, f"must be a list (got {quoted(value)})")


def _number(value: Any, *, whole: bool, minimum: int) -> tuple[Any, str | None]:
    what = "whole number" if whole else "number"
    given = value
    if isinstance(value, str):
        value = files.ascii_integer(value) if whole else files.ascii_number(value)
        if value is None:
            return None, f"must be a {what} (got {quoted(given)}): write it in ASCII digits"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, f"must be a {what} (got {quoted(given)})"
    if not math.isfinite(value):
        return None, f"must be a finite {what} (got {quoted(given)})"
    if whole and not isinstance(value, int):
        return None, f"must be a whole number (got {quoted(given)}): write it without decimals"
    if whole:
        if not minimum <= value <= MAX_WHOLE:
            return None, f"must be between {minimum} and {MAX_WHOLE} (got {quoted(value)})"
        return value, None
    if not 0 < value <= MAX_FRACTION:
        return None, f"must be greater than zero and at most {MAX_FRACTION:,} (got {quoted(given)})"
    return value, None
