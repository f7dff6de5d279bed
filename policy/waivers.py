"""Waivers: `waivers: [{resource, reason, expires}]` in any policy's config, and their report.

A waived violation is not reported by its policy (so a mandatory policy does not fail the gate);
it is reported instead by the advisory `waivers` policy, with the policy's name, the reason and
the expiry date, so it stays visible in every preview. A waiver past its `expires` date no longer
applies: the violation is reported by its policy again, and the `waivers` report says that the
waiver expired. A waiver that matches no violation is reported too, so stale ones get removed.

The pack's policies all run in one AnalyzeStack call, in the pack's order, with `waivers` last:
each policy leaves its waiver events in the ledger and the report drains it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

NAME = "waivers"

# The JSON schema of a policy's `waivers` config key (validated by the engine).
SCHEMA = {
    "type": "array",
    "default": [],
    "description": "Violations to let through: resource (URN or logical name), reason, expires "
    "(ISO date; the waiver applies through that day, UTC).",
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 1},
            "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        },
        "required": ["resource", "reason", "expires"],
        "additionalProperties": False,
    },
}


@dataclass(frozen=True)
class Waiver:
    resource: str
    reason: str
    expires: datetime.date

    def matches(self, urn: str) -> bool:
        """A URN, or the logical name at its end, names the resource."""
        return urn == self.resource or urn.rsplit("::", 1)[-1] == self.resource

    def expired(self, today: datetime.date) -> bool:
        return today > self.expires


def parse(raw: object) -> list[Waiver]:
    """The waivers of a policy's config (already checked against SCHEMA)."""
    return [
        Waiver(
            str(item["resource"]),
            str(item["reason"]),
            datetime.date.fromisoformat(str(item["expires"])),
        )
        for item in (raw if isinstance(raw, list) else [])
    ]


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


@dataclass(frozen=True)
class Event:
    """Something the `waivers` report shows: a waived violation, an expired or unused waiver."""

    policy: str
    urn: str  # "" for the stack
    message: str


LEDGER: list[Event] = []


def record(event: Event) -> None:
    LEDGER.append(event)


def _report(args: StackValidationArgs, report: ReportViolation) -> None:
    events = sorted(set(LEDGER), key=lambda e: (e.policy, e.urn, e.message))
    LEDGER.clear()
    for event in events:
        report(f"{event.policy}: {event.message}", event.urn or None)


POLICY = StackValidationPolicy(
    name=NAME,
    description="Waived violations, expired waivers and unused waivers of every other policy.",
    validate=_report,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
)
WHAT = POLICY.description
WHY = (
    "A waiver lets a known violation through the mandatory gate; it must stay visible and end on "
    "its date, or exceptions pile up unseen."
)
FIX = (
    "Fix the waived resource and remove its waiver; renew an expired waiver only with a new "
    "reason; remove waivers that match nothing."
)
