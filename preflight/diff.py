"""Compare two JSON plans: what is added, removed, changed, replaced, and what disrupts."""

from __future__ import annotations

import json
from typing import Any

from catalog import extension as ext
from catalog import replacements
from catalog.tokens import EXTENSION as EXTENSION_TYPE_TOKEN
from catalog.tokens import base_type


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
        old, new = _flatten(before[urn]["inputs"]), _flatten(after[urn]["inputs"])
        properties = [
            {"path": p, "before": old.get(p), "after": new.get(p)}
            for p in sorted(set(old) | set(new))
            if old.get(p) != new.get(p)
        ]
        if not properties:
            continue
        rtype = after[urn]["type"]
        entry: dict[str, Any] = {
            "urn": urn,
            "type": rtype,
            "properties": properties,
            "replace": sorted(
                {p["path"] for p in properties if replacements.replaces(rtype, p["path"])}
            ),
        }
        if base_type(rtype) == EXTENSION_TYPE_TOKEN:
            entry["disruptive"] = ext.disruptive_changes(
                before[urn]["inputs"].get("configurationSettings") or {},
                after[urn]["inputs"].get("configurationSettings") or {},
            )
        changed.append(entry)
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": changed,
    }


def _name(urn: str) -> str:
    return urn.split("::")[-1]


def _value(v: Any) -> str:
    return "(none)" if v is None else json.dumps(v)


def text(d: dict[str, Any]) -> str:
    lines = []
    lines += [f"+ {_name(u)}  ({u.split('::')[2].split('$')[-1]})" for u in d["added"]]
    lines += [f"- {_name(u)}  ({u.split('::')[2].split('$')[-1]})" for u in d["removed"]]
    for c in d["changed"]:
        mark = "+-" if c["replace"] else "~"
        lines.append(
            f"{mark} {_name(c['urn'])}  ({c['type']})" + ("  REPLACES" if c["replace"] else "")
        )
        for p in c["properties"]:
            lines.append(f"    {p['path']}: {_value(p['before'])} => {_value(p['after'])}")
        for reason in c.get("disruptive", []):
            lines.append(f"    DISRUPTIVE: {reason}")
    if not lines:
        lines = ["no changes"]
    counts = (
        f"{len(d['added'])} added, {len(d['removed'])} removed, {len(d['changed'])} changed, "
        f"{sum(1 for c in d['changed'] if c['replace'])} replaced, "
        f"{sum(1 for c in d['changed'] if c.get('disruptive'))} disruptive"
    )
    return "\n".join(lines + ["", counts]) + "\n"


def markdown(d: dict[str, Any]) -> str:
    lines = ["### Plan diff", ""]
    warnings = [(c, r) for c in d["changed"] for r in c.get("disruptive", [])]
    replaced = [c for c in d["changed"] if c["replace"]]
    if warnings or replaced:
        lines += ["> [!WARNING]"]
        lines += [
            f"> **Replaces** `{_name(c['urn'])}` (`{c['type']}`): {', '.join(c['replace'])} changed"
            for c in replaced
        ]
        lines += [f"> **Disrupts** `{_name(c['urn'])}`: {r}" for c, r in warnings]
        lines += [""]
    lines += ["| | Resource | Type | Change |", "|---|---|---|---|"]
    lines += [
        f"| + | `{_name(u)}` | `{u.split('::')[2].split('$')[-1]}` | added |" for u in d["added"]
    ]
    lines += [
        f"| - | `{_name(u)}` | `{u.split('::')[2].split('$')[-1]}` | removed |"
        for u in d["removed"]
    ]
    for c in d["changed"]:
        change = "<br>".join(
            f"`{p['path']}`: {_value(p['before'])} → {_value(p['after'])}" for p in c["properties"]
        )
        lines.append(
            f"| {'+-' if c['replace'] else '~'} | `{_name(c['urn'])}` | `{c['type']}` | {change} |"
        )
    if len(lines) == 4 and not warnings:
        lines.append("| | | | no changes |")
    return "\n".join(lines) + "\n"
