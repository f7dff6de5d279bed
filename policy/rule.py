"""The pack's one way to write a policy.

A `Rule` is a check over the resource graph that yields `Finding`s, plus what the docs say about
it (what, why, fix, link) and its config schema (every key with its default). `Rule.policy()`
makes it a pulumi `StackValidationPolicy` that applies the defaults, checks the config, and
applies the `waivers` every policy accepts (policy/waivers.py).

Every rule is a stack policy: it sees the whole graph (dependencies, property dependencies,
parents), which is what lets it follow edges instead of comparing names that may be unknown.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from policy import waivers
from policy.resources import Graph


@dataclass(frozen=True)
class Finding:
    resource: PolicyResource
    message: str


@dataclass(frozen=True)
class Context:
    """What a check knows besides the graph: its config (defaults applied), the stack's name and
    tags (the production marker)."""

    config: Mapping[str, Any]
    stack: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)

    def production(self) -> bool:
        """The stack is production: its name matches `productionStacks` or one of its tags has a
        value `productionTags` lists."""
        patterns = self.config.get("productionStacks", [])
        if any(fnmatch.fnmatchcase(self.stack.lower(), p.lower()) for p in patterns):
            return True
        for tag, values in self.config.get("productionTags", {}).items():
            if str(self.tags.get(tag, "")).lower() in {str(v).lower() for v in values}:
                return True
        return False


Check = Callable[[Graph, Context], Iterable[Finding]]

# Config keys several policies share: what marks a stack as production.
PRODUCTION_CONFIG: dict[str, dict[str, Any]] = {
    "productionStacks": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["prod", "prod-*", "*-prod", "production", "production-*", "*-production"],
        "description": "Stack name patterns (fnmatch, any case) that mark a production stack.",
    },
    "productionTags": {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "default": {"environment": ["prod", "production"]},
        "description": "Stack tags whose listed values mark a production stack.",
    },
}

# Name fragments of Kubernetes resources that install an NVIDIA device plugin.
PLUGIN_NAMES_CONFIG: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "default": ["nvidia-device-plugin", "gpu-operator"],
    "description": "Name fragments of Kubernetes resources that install the plugin.",
}

# For recommendations that matter in production first: a switch, on by default.
PRODUCTION_ONLY_CONFIG: dict[str, dict[str, Any]] = {
    "productionOnly": {
        "type": "boolean",
        "default": True,
        "description": "Check production stacks only (see productionStacks).",
    },
    **PRODUCTION_CONFIG,
}


@dataclass(frozen=True)
class Rule:
    name: str
    level: EnforcementLevel
    severity: Severity
    what: str  # one line: what it catches (the policy's description)
    why: str
    fix: str
    url: str
    check: Check
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def schema_properties(self) -> dict[str, dict[str, Any]]:
        return {**{k: dict(v) for k, v in self.config.items()}, "waivers": waivers.SCHEMA}

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.schema_properties.items()}

    def run(
        self,
        resources: Iterable[PolicyResource],
        config: Mapping[str, Any] | None = None,
        stack: str = "",
        tags: Mapping[str, str] | None = None,
        report: ReportViolation | None = None,
    ) -> list[tuple[str, str]]:
        """Check, apply waivers, report what is left; returns (message, urn) as reported."""
        reported: list[tuple[str, str]] = []

        def emit(message: str, urn: str) -> None:
            reported.append((message, urn))
            if report is not None:
                report(message, urn or None)

        settings = {**self.defaults(), **dict(config or {})}
        settings.pop("enforcementLevel", None)
        errors = sorted(
            # Unknown keys too: a misspelt threshold would otherwise fall back to its default.
            jsonschema.Draft7Validator(
                {
                    "type": "object",
                    "properties": self.schema_properties,
                    "additionalProperties": False,
                }
            ).iter_errors(settings),
            key=lambda e: list(e.absolute_path),
        )
        if errors:
            where = ".".join(str(p) for p in errors[0].absolute_path) or "config"
            emit(f"invalid policy config at {where}: {errors[0].message}", "")
            return reported
        try:
            active = waivers.parse(settings["waivers"])
        except ValueError as err:  # a date the pattern admits but the calendar does not
            emit(f"invalid policy config at waivers: {err}", "")
            return reported
        context = Context(settings, stack, dict(tags or {}))
        today, used = waivers.today(), set()
        for finding in self.check(Graph(resources), context):
            urn = finding.resource.urn
            waiver = next((w for w in active if w.matches(urn)), None)
            if waiver is None:
                emit(finding.message, urn)
                continue
            used.add(waiver)
            if waiver.expired(today):
                emit(f"{finding.message} (its waiver expired on {waiver.expires})", urn)
            else:
                waivers.record(
                    waivers.Event(
                        self.name,
                        urn,
                        f"waived until {waiver.expires} ({waiver.reason}): {finding.message}",
                    )
                )
        for waiver in active:
            if waiver.expired(today):
                waivers.record(
                    waivers.Event(
                        self.name,
                        "",
                        f"the waiver for '{waiver.resource}' expired on {waiver.expires} "
                        f"({waiver.reason}): renew it with a new date or remove it",
                    )
                )
            elif waiver not in used:
                waivers.record(
                    waivers.Event(
                        self.name,
                        "",
                        f"the waiver for '{waiver.resource}' ({waiver.reason}) matches no "
                        "violation: remove it",
                    )
                )
        return reported

    def policy(self) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report: ReportViolation) -> None:
            self.run(
                args.resources,
                args.get_config(),
                os.environ.get("PULUMI_STACK", ""),
                args.stack_tags,
                report,
            )

        return StackValidationPolicy(
            name=self.name,
            description=self.what,
            validate=validate,
            enforcement_level=self.level,
            severity=self.severity,
            remediation_steps=self.fix,
            url=self.url,
            config_schema=PolicyConfigSchema(self.schema_properties),
        )
