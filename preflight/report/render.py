"""Plans and check results for people: a tree like `pulumi preview`, markdown, DOT.

Names come from programs and may hold anything: newlines, quotes, backticks, pipes, HTML. Each
format escapes them (`visible`, `md_code`, `dot_string`) so a name can neither forge lines nor
inject markup.
"""

from __future__ import annotations

import json
import re
from typing import Any


def visible(text: Any) -> str:
    """Control characters (newlines included) shown as escapes, so one name stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def md_code(text: Any) -> str:
    """A markdown code span that holds any text, even inside a table cell."""
    shown = visible(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def dot_string(text: Any) -> str:
    """The inside of a DOT double-quoted string."""
    return visible(text).replace("\\", "\\\\").replace('"', '\\"')


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
        (f" {_OPS.get(r['op'], ' ')}  ", prefix + visible(r["type"]), visible(r["name"]), r["op"])
        for r, prefix in _walk(plan)
    ]
    width_type = max([len(r[1]) for r in rows] + [4])
    width_name = max([len(r[2]) for r in rows] + [4])
    lines = [
        f"Previewing update ({plan['stack']}) offline, from {visible(plan['config'] or 'no stack file')}:",
        "",
        f"     {'Type'.ljust(width_type)}  {'Name'.ljust(width_name)}  Plan",
    ]
    lines += [f"{op}{t.ljust(width_type)}  {n.ljust(width_name)}  {o}" for op, t, n, o in rows]
    if plan["diagnostics"]:
        lines += ["", "Diagnostics:"]
        lines += [f"    {d['severity']}: {visible(d['message'])}" for d in plan["diagnostics"]]
    if plan["outputs"]:
        lines += ["", "Outputs:"]
        lines += [
            f"    {visible(k)}: {json.dumps(v, sort_keys=True)}"
            for k, v in sorted(plan["outputs"].items())
        ]
    lines += ["", "Resources:"]
    lines += [f"    {_OPS.get(op, ' ')} {n} to {op}" for op, n in plan["summary"].items()]
    return "\n".join(lines) + "\n"


def markdown(plan: dict[str, Any]) -> str:
    lines = [
        f"### Preview of {md_code(plan['stack'])} ({md_code(plan['config'] or 'no stack file')})",
        "",
        "| | Type | Name | Plan |",
        "|---|---|---|---|",
    ]
    for r, prefix in _walk(plan):
        lines.append(
            f"| {_OPS.get(r['op'], '')} | {md_code(prefix + r['type'])} | {md_code(r['name'])} "
            f"| {r['op']} |"
        )
    lines += ["", "Resources: " + ", ".join(f"{n} to {op}" for op, n in plan["summary"].items())]
    lines += ["", "<details><summary>Properties</summary>", ""]
    for r in plan["resources"]:
        if r["custom"] and r["inputs"]:
            lines += [
                f"**{md_code(r['name'])}** ({md_code(r['type'])})",
                "",
                "````json",  # JSON strings cannot hold a raw newline, so no line is a fence
                json.dumps(r["inputs"], indent=2, sort_keys=True),
                "````",
                "",
            ]
    lines += ["</details>"]
    return "\n".join(lines) + "\n"


def dot(plan: dict[str, Any]) -> str:
    ids = {r["urn"]: f"r{i}" for i, r in enumerate(plan["resources"])}
    lines = ["digraph plan {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for r in plan["resources"]:
        shape = "box" if r["custom"] else "folder"
        label = f"{dot_string(r['name'])}\\n{dot_string(r['type'])}"
        lines.append(f'  {ids[r["urn"]]} [label="{label}", shape={shape}];')
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
        lines += [f"    {visible(e['path'])}: {visible(e['message'])}" for e in result["errors"]]
        return "\n".join(lines) + "\n"
    pack = result.get("policyPack", {})
    failed = result["mandatory"] or result.get("unevaluatedMandatory")
    lines.append(
        f"Policies: {visible(pack.get('name'))}@v{visible(pack.get('version'))} "
        + ("failed" if failed else "passed")
    )
    for v in result["violations"]:
        note = "  (not evaluated at preview)" if v.get("unevaluated") else ""
        lines.append(
            f"    - [{v['enforcementLevel']}]  {visible(v['policy'])}  "
            f"({visible(v['urn'].split('::')[-1])}){note}"
        )
        lines += [f"          {visible(line)}" for line in v["message"].splitlines() or [""]]
    if not result["violations"]:
        lines.append("    no violations")
    for r in result.get("remediations", []):
        lines.append(
            f"    ~ remediated by {visible(r['policy'])}: {visible(r['urn'].split('::')[-1])}"
        )
    for w in result.get("warnings", []):
        lines.append(f"    warning: {visible(w)}")
    return "\n".join(lines) + "\n"
