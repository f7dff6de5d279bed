"""Compare two JSON plans: what is added, removed, changed, replaced, and what disrupts."""

from __future__ import annotations

import json
from typing import Any

from catalog import extension, replacements
from catalog.tokens import EXTENSION as EXTENSION_TYPE_TOKEN
from catalog.tokens import base_type
from common import files
from preflight.report.render import md_code, visible

# A plan is read whole, bounded in size. Kubernetes manifests in a plan nest 20 or so levels; far
# deeper is not a plan (and would exhaust the stack of a recursive walk).
MAX_PLAN_BYTES = 256 * 1024 * 1024
PLAN_DEPTH = 200


class PlanError(ValueError):
    """A file that is not a readable preflight plan; the message names the file."""


def read_plan(path: str) -> dict[str, Any]:
    try:
        text = files.read_text(path, path, MAX_PLAN_BYTES)
    except files.InputFileError as err:
        raise PlanError(f"{path}: {err.message}") from None
    try:
        plan = files.parse_json(text, path, PLAN_DEPTH)
    except files.InputFileError as err:
        raise PlanError(f"{path}: not a readable JSON plan: {err.message}") from None
    problem = plan_problem(plan)
    if problem:
        raise PlanError(f"{path}: not a preflight plan: {problem}")
    return plan


def plan_problem(plan: Any) -> str | None:
    """Why a document is not a plan this module can compare, or None."""
    if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
        return "no resources list"
    seen: set[str] = set()
    for i, r in enumerate(plan["resources"]):
        if not isinstance(r, dict):
            return f"resources[{i}] is not an object"
        for key in ("urn", "type"):
            if not isinstance(r.get(key), str) or not r[key]:
                return f"resources[{i}].{key} is not a string"
        if r["urn"].count("::") < 3:
            return f"resources[{i}].urn is not a URN"
        if not isinstance(r.get("inputs", {}), dict):
            return f"resources[{i}].inputs is not an object"
        if r["urn"] in seen:
            return f"resources[{i}]: duplicate URN {r['urn']}"
        seen.add(r["urn"])
    return None


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else k))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def diff(base: dict[str, Any], head: dict[str, Any]) -> dict[str, Any]:
    before = {r["urn"]: r for r in base["resources"]}
    after = {r["urn"]: r for r in head["resources"]}
    changed = []
    for urn in sorted(set(before) & set(after)):
        old = _flatten(before[urn].get("inputs", {}))
        new = _flatten(after[urn].get("inputs", {}))
        properties: list[dict[str, Any]] = [
            {"path": p, "before": old.get(p), "after": new.get(p)}
            for p in sorted(set(old) | set(new))
            if old.get(p) != new.get(p)
        ]
        if not properties:
            continue
        rtype = str(after[urn]["type"])
        entry: dict[str, Any] = {
            "urn": urn,
            "type": rtype,
            "properties": properties,
            "replace": sorted(
                {p["path"] for p in properties if replacements.replaces(rtype, p["path"])}
            ),
            # Changes Azure refuses to make in place, with what it takes instead.
            "blocked": [
                {"path": p["path"], "why": why}
                for p in properties
                if (why := replacements.not_in_place(rtype, p["path"]))
            ],
        }
        if base_type(rtype) == EXTENSION_TYPE_TOKEN:
            entry["disruptive"] = extension.disruptive_changes(
                _settings(before[urn]),
                _settings(after[urn]),
            )
        changed.append(entry)
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": changed,
    }


def _settings(resource: dict[str, Any]) -> dict[str, Any]:
    settings = resource.get("inputs", {}).get("configurationSettings")
    return settings if isinstance(settings, dict) else {}


def _name(urn: str) -> str:
    return visible(urn.split("::")[-1])


def _type(urn: str) -> str:
    return visible(urn.split("::")[2].split("$")[-1])


def _value(v: Any) -> str:
    return "(none)" if v is None else json.dumps(v)


def text(d: dict[str, Any]) -> str:
    lines = []
    lines += [f"+ {_name(u)}  ({_type(u)})" for u in d["added"]]
    lines += [f"- {_name(u)}  ({_type(u)})" for u in d["removed"]]
    for c in d["changed"]:
        mark = "+-" if c["replace"] else "~"
        lines.append(
            f"{mark} {_name(c['urn'])}  ({visible(c['type'])})"
            + ("  REPLACES" if c["replace"] else "")
        )
        for p in c["properties"]:
            lines.append(f"    {visible(p['path'])}: {_value(p['before'])} => {_value(p['after'])}")
        for blocked in c.get("blocked", []):
            lines.append(f"    NOT IN PLACE: {visible(blocked['path'])}: {visible(blocked['why'])}")
        for reason in c.get("disruptive", []):
            lines.append(f"    DISRUPTIVE: {visible(reason)}")
    if not lines:
        lines = ["no changes"]
    counts = (
        f"{len(d['added'])} added, {len(d['removed'])} removed, {len(d['changed'])} changed, "
        f"{sum(1 for c in d['changed'] if c['replace'])} replaced, "
        f"{sum(1 for c in d['changed'] if c.get('disruptive'))} disruptive, "
        f"{sum(1 for c in d['changed'] if c.get('blocked'))} not in place"
    )
    return "\n".join(lines + ["", counts]) + "\n"


def markdown(d: dict[str, Any]) -> str:
    """Markdown for a pull request comment; every name and value is an escaped code span."""
    lines = ["### Plan diff", ""]
    warnings = [(c, r) for c in d["changed"] for r in c.get("disruptive", [])]
    replaced = [c for c in d["changed"] if c["replace"]]
    blocked = [(c, b) for c in d["changed"] for b in c.get("blocked", [])]
    if warnings or replaced or blocked:
        lines += ["> [!WARNING]"]
        lines += [
            f"> **Not in place** {md_code(_name(c['urn']))}: {md_code(b['path'])} changed: "
            f"{md_code(b['why'])}"
            for c, b in blocked
        ]
        lines += [
            f"> **Replaces** {md_code(_name(c['urn']))} ({md_code(c['type'])}): "
            f"{', '.join(md_code(p) for p in c['replace'])} changed"
            for c in replaced
        ]
        lines += [f"> **Disrupts** {md_code(_name(c['urn']))}: {md_code(r)}" for c, r in warnings]
        lines += [""]
    lines += ["| | Resource | Type | Change |", "|---|---|---|---|"]
    lines += [f"| + | {md_code(_name(u))} | {md_code(_type(u))} | added |" for u in d["added"]]
    lines += [f"| - | {md_code(_name(u))} | {md_code(_type(u))} | removed |" for u in d["removed"]]
    for c in d["changed"]:
        change = "<br>".join(
            f"{md_code(p['path'])}: {md_code(_value(p['before']))} → {md_code(_value(p['after']))}"
            for p in c["properties"]
        )
        lines.append(
            f"| {'+-' if c['replace'] else '~'} | {md_code(_name(c['urn']))} | "
            f"{md_code(c['type'])} | {change} |"
        )
    if len(lines) == 4 and not warnings:
        lines.append("| | | | no changes |")
    return "\n".join(lines) + "\n"
