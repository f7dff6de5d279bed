"""Compare two JSON plans: what is added, removed, changed, replaced, and what disrupts."""

from __future__ import annotations

import json
import re
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
        effects = sorted(
            {why for p in properties if (why := replacements.effect(rtype, p["path"]))}
        )
        if effects:
            entry["effects"] = effects
        disruptive = []
        if base_type(rtype) == EXTENSION_TYPE_TOKEN:
            disruptive = extension.disruptive_changes(_settings(before[urn]), _settings(after[urn]))
        if entry["replace"] and (why := replacements.removal_disrupts(rtype, replaced=True)):
            disruptive.append(why)
        if disruptive:
            entry["disruptive"] = disruptive
        changed.append(entry)
    removed = sorted(set(before) - set(after))
    return {
        "added": sorted(set(after) - set(before)),
        "removed": removed,
        "changed": changed,
        # Removals that interrupt users (the scoring name's record), with why.
        "disruptiveRemovals": [
            {"urn": urn, "type": before[urn]["type"], "why": why}
            for urn in removed
            if (why := replacements.removal_disrupts(str(before[urn]["type"])))
        ],
        "warnings": _warnings(base, head),
    }


# Settings warnings start with the stack file's path, which differs between two checkouts.
_FILE_PREFIX = re.compile(r"^[^\s:]*Pulumi\.[^\s:/]+\.ya?ml: ")


def _warning_texts(plan: dict[str, Any]) -> list[str]:
    found = []
    for item in plan.get("diagnostics") or []:
        if isinstance(item, dict) and item.get("severity") == "warning":
            found.append(_FILE_PREFIX.sub("", str(item.get("message", ""))))
    return found


def _warnings(base: dict[str, Any], head: dict[str, Any]) -> dict[str, list[str]]:
    """Warnings the change brings (new) and ends (resolved), in head's and base's order."""
    before, after = _warning_texts(base), _warning_texts(head)
    return {
        "new": [w for w in dict.fromkeys(after) if w not in before],
        "resolved": [w for w in dict.fromkeys(before) if w not in after],
    }


def disruptive_count(d: dict[str, Any]) -> int:
    """Changed resources that disrupt, and removals that do."""
    return sum(1 for c in d["changed"] if c.get("disruptive")) + len(
        d.get("disruptiveRemovals", [])
    )


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
    disrupting = {r["urn"]: r["why"] for r in d.get("disruptiveRemovals", [])}
    for u in d["removed"]:
        lines.append(f"- {_name(u)}  ({_type(u)})")
        if u in disrupting:
            lines.append(f"    DISRUPTIVE: {visible(disrupting[u])}")
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
        for note in c.get("effects", []):
            lines.append(f"    NOTE: {visible(note)}")
    warnings = d.get("warnings", {})
    lines += [f"! new warning: {visible(w)}" for w in warnings.get("new", [])]
    lines += [f"  resolved warning: {visible(w)}" for w in warnings.get("resolved", [])]
    if not lines:
        lines = ["no changes"]
    counts = (
        f"{len(d['added'])} added, {len(d['removed'])} removed, {len(d['changed'])} changed, "
        f"{sum(1 for c in d['changed'] if c['replace'])} replaced, "
        f"{disruptive_count(d)} disruptive, "
        f"{sum(1 for c in d['changed'] if c.get('blocked'))} not in place, "
        f"{len(warnings.get('new', []))} new warnings"
    )
    return "\n".join(lines + ["", counts]) + "\n"


def markdown(d: dict[str, Any]) -> str:
    """Markdown for a pull request comment; every name and value is an escaped code span."""
    lines = ["### Plan diff", ""]
    warnings = [(c["urn"], r) for c in d["changed"] for r in c.get("disruptive", [])]
    warnings += [(r["urn"], r["why"]) for r in d.get("disruptiveRemovals", [])]
    replaced = [c for c in d["changed"] if c["replace"]]
    blocked = [(c, b) for c in d["changed"] for b in c.get("blocked", [])]
    new_warnings = d.get("warnings", {}).get("new", [])
    if warnings or replaced or blocked or new_warnings:
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
        lines += [f"> **Disrupts** {md_code(_name(urn))}: {md_code(r)}" for urn, r in warnings]
        lines += [f"> **New warning**: {md_code(w)}" for w in new_warnings]
        lines += [""]
    notes = [(c["urn"], e) for c in d["changed"] for e in c.get("effects", [])]
    if notes:
        lines += ["> [!NOTE]"]
        lines += [f"> **{md_code(_name(urn))}**: {md_code(e)}" for urn, e in notes]
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
    if not (d["added"] or d["removed"] or d["changed"]):
        lines.append("| | | | no changes |")
    resolved = d.get("warnings", {}).get("resolved", [])
    if resolved:
        lines += ["", "Resolved warnings:", *(f"- {md_code(w)}" for w in resolved)]
    return "\n".join(lines) + "\n"
