"""Plans and check results for people: a tree like `pulumi preview`, markdown, DOT."""

from __future__ import annotations

import json
from typing import Any

_OPS = {"create": "+", "read": ">"}


def _children(plan: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    urns = {r["urn"] for r in plan["resources"]}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in plan["resources"]:
        parent = r["parent"] if r["parent"] in urns else None
        children.setdefault(parent, []).append(r)
    return children


def _walk(plan: dict[str, Any]):
    """(resource, prefix) in tree order, like the pulumi CLI draws it."""
    children = _children(plan)

    def visit(r, prefix, last, depth):
        branch = "" if depth == 0 else prefix + ("└─ " if last else "├─ ")
        yield r, branch
        kids = children.get(r["urn"], [])
        for i, kid in enumerate(kids):
            yield from visit(
                kid,
                prefix + ("" if depth == 0 else ("   " if last else "│  ")),
                i == len(kids) - 1,
                depth + 1,
            )

    roots = children.get(None, [])
    for i, r in enumerate(roots):
        yield from visit(r, "", i == len(roots) - 1, 0)


def text(plan: dict[str, Any]) -> str:
    rows = [
        (f" {_OPS.get(r['op'], ' ')}  ", prefix + r["type"], r["name"], r["op"])
        for r, prefix in _walk(plan)
    ]
    width_type = max([len(r[1]) for r in rows] + [4])
    width_name = max([len(r[2]) for r in rows] + [4])
    lines = [
        f"Previewing update ({plan['stack']}) offline, from {plan['config']}:",
        "",
        f"     {'Type'.ljust(width_type)}  {'Name'.ljust(width_name)}  Plan",
    ]
    lines += [f"{op}{t.ljust(width_type)}  {n.ljust(width_name)}  {o}" for op, t, n, o in rows]
    if plan["diagnostics"]:
        lines += ["", "Diagnostics:"]
        lines += [f"    {d['severity']}: {d['message']}" for d in plan["diagnostics"]]
    if plan["outputs"]:
        lines += ["", "Outputs:"]
        lines += [
            f"    {k}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(plan["outputs"].items())
        ]
    lines += ["", "Resources:"]
    lines += [f"    {_OPS.get(op, ' ')} {n} to {op}" for op, n in plan["summary"].items()]
    return "\n".join(lines) + "\n"


def markdown(plan: dict[str, Any]) -> str:
    lines = [
        f"### Preview of `{plan['stack']}` ({plan['config']})",
        "",
        "| | Type | Name | Plan |",
        "|---|---|---|---|",
    ]
    for r, prefix in _walk(plan):
        lines.append(
            f"| {_OPS.get(r['op'], '')} | `{prefix}{r['type']}` | `{r['name']}` | {r['op']} |"
        )
    lines += ["", "Resources: " + ", ".join(f"{n} to {op}" for op, n in plan["summary"].items())]
    lines += ["", "<details><summary>Properties</summary>", ""]
    for r in plan["resources"]:
        if r["custom"] and r["inputs"]:
            lines += [
                f"**{r['name']}** (`{r['type']}`)",
                "",
                "```json",
                json.dumps(r["inputs"], indent=2, sort_keys=True),
                "```",
                "",
            ]
    lines += ["</details>"]
    return "\n".join(lines) + "\n"


def dot(plan: dict[str, Any]) -> str:
    ids = {r["urn"]: f"r{i}" for i, r in enumerate(plan["resources"])}
    lines = ["digraph plan {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for r in plan["resources"]:
        shape = "box" if r["custom"] else "folder"
        lines.append(f'  {ids[r["urn"]]} [label="{r["name"]}\\n{r["type"]}", shape={shape}];')
    for r in plan["resources"]:
        if r["parent"] in ids:
            lines.append(f"  {ids[r['parent']]} -> {ids[r['urn']]} [style=dashed, arrowhead=none];")
        for dep in r["dependencies"]:
            if dep in ids:
                lines.append(f"  {ids[r['urn']]} -> {ids[dep]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def check_text(result: dict[str, Any]) -> str:
    lines = []
    if result.get("errors"):
        lines.append("Invalid settings:")
        lines += [f"    {e['path']}: {e['message']}" for e in result["errors"]]
    else:
        pack = result.get("policyPack", {})
        mark = "failed" if result["mandatory"] else "passed"
        lines.append(f"Policies: {pack.get('name')}@v{pack.get('version')} {mark}")
        for v in result["violations"]:
            lines.append(
                f"    - [{v['enforcementLevel']}]  {v['policy']}  ({v['urn'].split('::')[-1]})"
            )
            lines.append(f"          {v['message']}")
        if not result["violations"]:
            lines.append("    no violations")
    return "\n".join(lines) + "\n"
