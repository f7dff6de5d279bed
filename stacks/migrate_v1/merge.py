"""--into STACKFILE: add the migrated instance type and endpoint to a stack file.

The file is read by common.files (bounded, no aliases or duplicate keys). The new entries go at
the end of the stack's `instanceTypes` and `endpoints` lists (made when missing); an entry of
the same name is an error, never overwritten. When the endpoint's compute lists the instance
types it offers, the new type is added to that list. Secure values ({secure: ...}) are neither
decrypted nor printed: their keys are passed to the stack's validation as secrets with a
placeholder value. The merged stack is validated with stacks.settings.parse, the edited text is
read back and compared with the intended document, and only then is the file replaced
atomically (a temporary file in the same directory, then os.replace). Every other byte of the
file is kept: comments, order and layout. On any error the file is untouched.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import files
from stacks.migrate_v1 import splice, stackfile
from stacks.migrate_v1.names import Names
from stacks.migrate_v1.reading import MigrationError, Problem
from stacks.migrate_v1.result import Migration
from stacks.migrate_v1.text import as_json, quoted
from stacks.settings.stack import PROJECT


@dataclass
class _Plan:
    """What to add where: config keys as the file spells them (None: the key is added)."""

    types_key: str | None
    endpoints_key: str | None
    compute_at: tuple[str, int] | None  # (computes key, index) whose instanceTypes gains the type
    added: list[str] = field(default_factory=list)


def merge_into(path: Path, shown: str, migration: Migration, names: Names) -> list[str]:
    """Add the migration to the stack file at `path`; the lines that say what changed."""
    try:
        original = files.read_bytes(path, shown)
        text = files.decode(original, shown)
        data = files.parse_yaml(text, shown)
    except files.InputFileError as err:
        raise MigrationError(err.file, [(err.where, err.message)]) from None
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        raise MigrationError(
            shown, [("config", "a stack file is a mapping with a config: mapping")]
        )
    config = data["config"]
    plan = _plan(config, migration, names, shown)
    merged = copy.deepcopy(data)
    _add(merged["config"], plan, migration)
    warnings = stackfile.validate(merged["config"], config, shown, stackfile.project_dir(path))
    edited = _edit(text, plan, migration, shown)
    if not stackfile.same(files.parse_yaml(edited, shown), merged):
        raise MigrationError(
            shown,
            [
                (
                    "file",
                    "its layout cannot be edited without changing what else it says; nothing "
                    "was written: paste the printed settings instead (run without --into)",
                )
            ],
        )
    stackfile.write_atomically(path, edited, original, shown)
    types_key = plan.types_key or f"{PROJECT}:instanceTypes"
    endpoints_key = plan.endpoints_key or f"{PROJECT}:endpoints"
    lines = [
        f"Merged into {as_json(shown)}: {types_key}[{len(config.get(types_key) or [])}] "
        f"{quoted(names.instance_type.value)} and {endpoints_key}"
        f"[{len(config.get(endpoints_key) or [])}] {quoted(names.endpoint.value)}; everything "
        "already in the file is kept, comments included.",
        *plan.added,
    ]
    return lines + [f"Warning: {where}: {message}" for where, message in warnings]


def _list_key(config: dict[str, Any], setting: str, shown: str) -> str | None:
    """The config key holding a list setting, as the file spells it (with or without the
    project's namespace), or None."""
    spellings = [key for key in (f"{PROJECT}:{setting}", setting) if key in config]
    if len(spellings) > 1:
        raise MigrationError(
            shown, [(f"config.{spellings[1]}", f"also given as {spellings[0]}: keep one")]
        )
    if not spellings:
        return None
    if not isinstance(config[spellings[0]], list):
        raise MigrationError(
            shown,
            [(f"config.{spellings[0]}", "must be a list (of mappings) to add to; write it as one")],
        )
    return spellings[0]


def _plan(config: dict[str, Any], migration: Migration, names: Names, shown: str) -> _Plan:
    problems: list[Problem] = []
    types_key = _list_key(config, "instanceTypes", shown)
    endpoints_key = _list_key(config, "endpoints", shown)
    for key, name, what in (
        (types_key, names.instance_type, "instance type"),
        (endpoints_key, names.endpoint, "endpoint"),
    ):
        for i, item in enumerate((config.get(key) or []) if key else []):
            if isinstance(item, dict) and item.get("name") == name.value:
                problems.append(
                    (
                        f"config.{key}[{i}].name",
                        f"{what} {quoted(name.value)} is already in the stack and is never "
                        f"overwritten: {name.fix} (or remove that one first)",
                    )
                )
    plan = _Plan(types_key, endpoints_key, None)
    computes_key = _list_key(config, "computes", shown)
    computes = (config.get(computes_key) or []) if computes_key else []
    found = [
        i
        for i, c in enumerate(computes)
        if isinstance(c, dict) and c.get("name") == names.compute.value
    ]
    if not found:
        known = [c.get("name") for c in computes if isinstance(c, dict)]
        listed = ", ".join(quoted(name) for name in known) or "none declared"
        problems.append(
            (
                f"config.{computes_key or PROJECT + ':computes'}",
                f"no compute {quoted(names.compute.value)} (the stack's: {listed}): "
                f"{names.compute.fix} with one of them, or declare this one in computes[] first",
            )
        )
    else:
        assert computes_key is not None
        offered = computes[found[0]].get("instanceTypes")
        if isinstance(offered, list) and offered and names.instance_type.value not in offered:
            plan.compute_at = (computes_key, found[0])
            plan.added.append(
                f"Added {quoted(names.instance_type.value)} to {computes_key}[{found[0]}]."
                f"instanceTypes: compute {quoted(names.compute.value)} offers only the types it lists."
            )
    if problems:
        raise MigrationError(shown, problems)
    return plan


def _add(config: dict[str, Any], plan: _Plan, migration: Migration) -> None:
    """The intended document: what the edited text must read back as."""
    config.setdefault(plan.types_key or f"{PROJECT}:instanceTypes", []).append(
        migration.instance_type
    )
    config.setdefault(plan.endpoints_key or f"{PROJECT}:endpoints", []).append(migration.endpoint)
    if plan.compute_at is not None:
        key, index = plan.compute_at
        config[key][index]["instanceTypes"].append(migration.instance_type["name"])


def _edit(text: str, plan: _Plan, migration: Migration, shown: str) -> str:
    root = splice.compose(text)
    config = splice.value_node(root, "config") if root is not None else None
    if config is None:
        raise MigrationError(shown, [("config", "not found")])  # parse_yaml found it
    insertions: list[splice.Insertion] = []
    try:
        for key, item, setting in (
            (plan.types_key, migration.instance_type, "instanceTypes"),
            (plan.endpoints_key, migration.endpoint, "endpoints"),
        ):
            node = splice.value_node(config, key) if key else None
            if node is None:
                insertions.append(splice.add(text, config, f"{PROJECT}:{setting}", [item]))
            else:
                insertions.append(splice.append(text, node, [item]))
        if plan.compute_at is not None:
            key, index = plan.compute_at
            computes = splice.value_node(config, key)
            compute = computes.value[index] if computes is not None else None
            offered = splice.value_node(compute, "instanceTypes") if compute is not None else None
            if offered is None:
                raise splice.SpliceError(f"config.{key}[{index}].instanceTypes: not found")
            insertions.append(splice.append(text, offered, [migration.instance_type["name"]]))
    except splice.SpliceError as err:
        raise MigrationError(
            shown,
            [
                (
                    str(err),
                    "cannot edit this layout; nothing was written: paste the printed settings",
                )
            ],
        ) from None
    return splice.apply(text, insertions)
