"""The resource graph of one preview, as a deterministic, secret-free plan.

`Graph` keeps what the engine would hand to analyzers (wire-shaped properties, with secrets);
`Graph.plan()` is what preflight prints: secrets become "[secret]", unknowns "[unknown]",
numbers that are whole become ints, everything sorted. The same input gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from preflight.program.secretschema import secret_properties
from preflight.report.redaction import SECRET_TEXT
from preflight.sdk import ROOT_STACK_TYPE, SECRET_SIG, SIG, UNKNOWN

UNKNOWN_TEXT = "[unknown]"
# The engine's unknown sentinels, one per kind (sdk/go/common/resource/plugin/rpc.go).
UNKNOWNS = frozenset(
    {
        UNKNOWN,
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    options: dict[str, Any]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    op: str = "create"  # preflight has no state: everything is created, or read
    synthetic: bool = False  # a default provider the engine would add

    @property
    def analyzed(self) -> bool:
        # The engine never shows reads to analyzers (step_generator: reads go to `reads`).
        return self.op != "read"


@dataclass
class Graph:
    project: str
    stack: str
    config_file: str
    resources: list[Resource]
    stack_outputs: dict[str, Any]
    diagnostics: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def from_run(
        cls,
        project: str,
        stack: str,
        config_file: str,
        run: dict,
        config: dict[str, str],
        secret_keys: frozenset[str] = frozenset(),
    ) -> Graph:
        resources: list[Resource] = []
        defaults: dict[str, Resource] = {}
        for reg in run["registrations"]:
            provider = reg["provider"]
            package = reg["type"].split(":")[0]
            if reg["custom"] and not provider and package != "pulumi":
                # The engine gives such a resource its package's default provider.
                default = defaults.get(package)
                if default is None:
                    default = _default_provider(
                        project, stack, package, reg["version"], config, secret_keys
                    )
                    defaults[package] = default
                provider = f"{default.urn}::{UNKNOWN}"
            if reg["custom"]:
                outputs = reg["outputs"]
            elif reg["type"] == ROOT_STACK_TYPE:
                outputs = run["stackOutputs"]  # AnalyzeStack sees the stack's outputs
            else:
                outputs = run["componentOutputs"].get(reg["urn"], {})
            resources.append(
                Resource(
                    urn=reg["urn"],
                    type=reg["type"],
                    name=reg["name"],
                    custom=reg["custom"],
                    parent=reg["parent"],
                    provider=provider,
                    dependencies=reg["dependencies"],
                    property_dependencies=reg["propertyDependencies"],
                    options=reg["options"],
                    inputs=reg["inputs"],
                    outputs=outputs,
                    op="read" if reg["read"] else "create",
                )
            )
        resources.extend(defaults.values())
        resources.sort(key=lambda r: r.urn)
        return cls(
            project, stack, config_file, resources, run["stackOutputs"], run.get("diagnostics", [])
        )

    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    @property
    def root_urn(self) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::{ROOT_STACK_TYPE}::{self.project}-{self.stack}"

    def plan(self) -> dict[str, Any]:
        summary: dict[str, int] = {}
        resources = []
        for r in self.resources:
            summary[r.op] = summary.get(r.op, 0) + 1
            entry: dict[str, Any] = {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "op": r.op,
                "custom": r.custom,
                "parent": r.parent or None,
                "provider": r.provider.rsplit("::", 1)[0] if r.provider else None,
                "dependencies": r.dependencies,
                "propertyDependencies": r.property_dependencies,
                "options": _options(r.options),
                "inputs": redact(r.inputs),
            }
            if r.synthetic:
                entry["synthetic"] = True
            resources.append(entry)
        return {
            "project": self.project,
            "stack": self.stack,
            "config": self.config_file,
            "resources": resources,
            "outputs": redact(self.stack_outputs),
            "diagnostics": sorted(self.diagnostics, key=lambda d: (d["severity"], d["message"])),
            "summary": dict(sorted(summary.items())),
        }


def _default_provider(
    project: str,
    stack: str,
    package: str,
    version: str,
    config: dict[str, str],
    secret_keys: frozenset[str],
) -> Resource:
    """A default provider as the engine makes one: its inputs are the package's stack config
    (`azure-native:location` becomes `location`; secret keys, and the keys the provider's schema
    marks secret, stay secret) and the version the program asked for."""
    suffix = f"_{version.replace('.', '_')}" if version else ""
    name = f"default{suffix}"
    schema = secret_properties(f"pulumi:providers:{package}").inputs
    inputs: dict[str, Any] = {}
    for key, value in sorted(config.items()):
        if key.startswith(f"{package}:"):
            prop = key.split(":", 1)[1]
            secret = key in secret_keys or prop in schema
            inputs[prop] = {SIG: SECRET_SIG, "value": value} if secret else value
    if version:
        inputs["version"] = version
    return Resource(
        f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::{name}",
        f"pulumi:providers:{package}",
        name,
        True,
        "",
        "",
        [],
        {},
        {},
        inputs,
        dict(inputs),
        synthetic=True,
    )


def _options(options: dict[str, Any]) -> dict[str, Any]:
    """Only the options that were set: defaults say nothing in a review."""
    return {k: v for k, v in sorted(options.items()) if v not in (False, "", [], None, {})}


def secret_strings(value: Any, inside: bool = False) -> Iterable[str]:
    """Every string under a secret marker in a wire-shaped value."""
    if isinstance(value, dict):
        if value.get(SIG) == SECRET_SIG:
            yield from secret_strings(value.get("value"), True)
            return
        for item in value.values():
            yield from secret_strings(item, inside)
    elif isinstance(value, list):
        for item in value:
            yield from secret_strings(item, inside)
    elif inside and value is not None and not isinstance(value, bool):
        yield str(value)


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG) == SECRET_SIG


def redact(value: Any) -> Any:
    """Wire-shaped value -> printable value: no secret, no sentinel, whole numbers as ints."""
    if is_secret(value):
        return SECRET_TEXT
    if isinstance(value, dict):
        return {k: redact(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and value in UNKNOWNS:
        return UNKNOWN_TEXT
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def dumps(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=2, sort_keys=True) + "\n"
