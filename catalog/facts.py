"""Every catalog fact with its source: discovery, listing, and the check that none lacks one.

A fact is a public UPPER_CASE constant a catalog module defines (assigned at its top level; names it
imports are the other module's facts), or a public function the module names in its SOURCES
because it encodes a platform rule. `python -m catalog facts [--format text|json]` lists them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

import catalog

# Modules that are the facts machinery itself or the documents facts cite, not platform knowledge.
TOOLING = frozenset({"facts", "__main__", "documents"})
UNCONFIRMED = "unconfirmed"
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")
_SUMMARY_WIDTH = 90


@dataclass(frozen=True)
class Fact:
    module: str
    name: str
    value: str
    source: str  # "" when the module gives none

    @property
    def unconfirmed(self) -> bool:
        """Unconfirmed in whole or in part (the source says which part)."""
        return UNCONFIRMED in self.source.lower()


def modules() -> list[ModuleType]:
    """Every catalog module but the tooling, imported, in name order (new modules included)."""
    names = sorted(
        info.name for info in pkgutil.iter_modules(catalog.__path__) if info.name not in TOOLING
    )
    return [importlib.import_module(f"catalog.{name}") for name in names]


def defined_constants(module: ModuleType) -> list[str]:
    """Public UPPER_CASE names assigned at the module's top level, in source order."""
    names: list[str] = []
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for node_name in ast.walk(target):
                name = node_name.id if isinstance(node_name, ast.Name) else ""
                if _CONSTANT.match(name) and name != "SOURCES" and name not in names:
                    names.append(name)
    return names


def sources_of(module: ModuleType) -> dict[str, str]:
    declared = getattr(module, "SOURCES", None)
    return dict(declared) if isinstance(declared, dict) else {}


def problems(module: ModuleType) -> list[str]:
    """Why the module breaks the contract: a constant without a source, an empty source, or a
    source for a name the module does not have."""
    where = module.__name__
    found: list[str] = []
    if not isinstance(getattr(module, "SOURCES", None), dict):
        found.append(f"{where}: declares no SOURCES dict")
    sources = sources_of(module)
    for name in defined_constants(module):
        if name not in sources:
            found.append(f"{where}.{name}: no SOURCES entry")
    for name, source in sources.items():
        if not isinstance(source, str) or not source.strip():
            found.append(f"{where}.{name}: empty SOURCES entry")
        if not hasattr(module, name):
            found.append(f"{where}.{name}: SOURCES names something the module lacks")
    return found


def summarize(value: object) -> str:
    """A short, deterministic picture of a value (sets sorted, long values cut)."""
    text = _describe(value)
    return text if len(text) <= _SUMMARY_WIDTH else text[: _SUMMARY_WIDTH - 3] + "..."


def _describe(value: object) -> str:
    if isinstance(value, re.Pattern):
        return f"/{value.pattern}/"
    if inspect.isfunction(value):
        return f"{value.__name__}({', '.join(inspect.signature(value).parameters)})"
    if isinstance(value, (set, frozenset)):
        return _items(sorted(repr(item) for item in value))
    if isinstance(value, dict):
        return _items([repr(key) for key in value], kind="entries")
    if isinstance(value, (list, tuple)):
        return _items([_describe(item) for item in value])
    return repr(value)


def _items(parts: Iterable[str], kind: str = "items") -> str:
    parts = list(parts)
    return f"{len(parts)} {kind}: {', '.join(parts)}"


def collect() -> list[Fact]:
    """Every fact of every catalog module: constants in source order, then other named facts."""
    facts: list[Fact] = []
    for module in modules():
        short = module.__name__.removeprefix("catalog.")
        sources = sources_of(module)
        constants = defined_constants(module)
        names = constants + [name for name in sources if name not in constants]
        for name in names:
            value = getattr(module, name, None)
            source = sources.get(name)
            facts.append(
                Fact(short, name, summarize(value), source if isinstance(source, str) else "")
            )
    return facts


def render(facts: list[Fact], fmt: str) -> str:
    if fmt == "json":
        rows = [
            {"module": f.module, "name": f.name, "value": f.value, "source": f.source}
            for f in facts
        ]
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    module = None
    for fact in facts:
        if fact.module != module:
            module = fact.module
            lines.append(f"catalog.{module}")
        lines.append(f"  {fact.name} = {fact.value}")
        lines.append(f"      source: {fact.source or 'MISSING'}")
    missing = sum(1 for f in facts if not f.source.strip())
    unconfirmed = sum(1 for f in facts if f.unconfirmed)
    lines.append(
        f"{len(facts)} facts, {unconfirmed} unconfirmed in whole or part, "
        f"{missing} without a source"
    )
    return "\n".join(lines) + "\n"
