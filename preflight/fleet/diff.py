"""`fleet preview` and `fleet diff`: every site's plan, and which sites a change touches and how.

`fleet diff BASE` previews every site of the inventory here and, in a worktree of BASE
(preflight.gitbase), every site of the inventory at the same path there, with BASE's own
preflight (`fleet preview`), then diffs each site's two plans (preflight.report.diff). Sites whose
changes read the same once the site's own name is taken out ("412 sites: extension setting X")
are one group, so a template change across a fleet is a few lines. A BASE without fleet support,
or without the inventory, previews as no sites: every site is new.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight import gitbase
from preflight.errors import INVALID, OK, PROGRAM_FAILED, Failure
from preflight.fleet.check import load_inventory, runs, site_stack
from preflight.program import launch
from preflight.program.stackfile import StackFileError, load_project
from preflight.report import diff as plandiff
from preflight.report.redaction import Redactor
from preflight.report.render import md_code, visible

USAGE = "usage: python -m preflight fleet diff BASE --inventory FILE (BASE: a git ref)"
NO_FLEET_COMMAND = 64  # a BASE preflight without `fleet preview` refuses the command line
SHOWN_SITES = 50  # per group, in the markdown; the JSON lists them all


@dataclass(frozen=True)
class Previews:
    sites: dict[str, dict[str, Any]]  # name -> {"wave", "plan"} or {"wave", "error"}
    secrets: list[str]


def previews(inventory_path: str, program_dir: str, jobs: int, timeout: float) -> Previews:
    """Every site's plan, through one runner server; a site that cannot be previewed has its
    error instead."""
    try:
        project = load_project(Path(program_dir).resolve())
    except StackFileError as err:
        raise Failure(INVALID, str(err)) from None
    inventory = load_inventory(inventory_path, program_dir)
    sites: dict[str, dict[str, Any]] = {}
    secrets: list[str] = []
    stacks = {}
    for site in inventory.sites:
        sites[site.name] = {"wave": site.wave}
        try:
            stacks[site.name] = site_stack(project, inventory, site)
            secrets += stacks[site.name].secret_values
        except Failure as failure:
            sites[site.name]["error"] = _reason(failure)
    with runs(project, inventory, stacks, jobs, timeout) as started:
        for name, found in started.finished():
            if isinstance(found, Failure):
                sites[name]["error"] = _reason(found)
                continue
            secrets += launch.secrets(stacks[name], found)
            sites[name]["plan"] = found.plan()
    return Previews(sites, secrets)


def _reason(failure: Failure) -> str:
    return " ".join([failure.message, *(f"{e['path']}: {e['message']}" for e in failure.errors)])


@dataclass(frozen=True)
class Report:
    document: dict[str, Any]
    redactor: Redactor


def diff(base: str, inventory_path: str, program_dir: str, jobs: int, timeout: float) -> Report:
    project = Path(program_dir).resolve()
    head = previews(inventory_path, program_dir, jobs, timeout)
    inventory = Path(inventory_path).resolve()
    try:
        relative = inventory.relative_to(project)
    except ValueError:
        raise Failure(
            INVALID, f"{inventory_path}: the inventory must be inside {project} to diff it"
        ) from None
    try:
        with gitbase.base_checkout(base, USAGE, project) as (commit, checkout, _):
            before = _base_previews(checkout, relative, jobs, timeout)
    except gitbase.Failure as failure:
        raise Failure(failure.code, failure.message) from None
    groups, unchanged = _groups(before, head.sites)
    document = {
        "base": base,
        "commit": commit,
        "inventory": str(relative),
        "sites": len(set(before) | set(head.sites)),
        "groups": groups,
        "unchanged": unchanged,
    }
    return Report(document, Redactor(head.secrets))


def _base_previews(checkout: Path, inventory: Path, jobs: int, timeout: float) -> dict:
    if not (checkout / inventory).is_file():
        return {}
    proc = gitbase.CHILDREN.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "fleet",
            "preview",
            "--inventory",
            str(inventory),
            "--jobs",
            str(jobs),
            "--timeout",
            f"{timeout:g}",
        ],
        checkout,
    )
    if proc.returncode == NO_FLEET_COMMAND:
        return {}
    if proc.returncode != OK:
        last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[0]
        raise Failure(PROGRAM_FAILED, f"the fleet preview of BASE failed: {visible(last)}")
    try:
        return json.loads(proc.stdout)["sites"]
    except (ValueError, KeyError, TypeError):
        raise Failure(PROGRAM_FAILED, "the fleet preview of BASE printed no sites") from None


def _lines(changes: dict[str, Any]) -> list[str]:
    def name(urn: str) -> str:
        parts = urn.split("::")
        return f"{parts[2].split('$')[-1]} {parts[-1]}"

    lines = [f"+ {name(u)}" for u in changes["added"]]
    lines += [f"- {name(u)}" for u in changes["removed"]]
    for c in changes["changed"]:
        for p in c["properties"]:
            note = " (replaces it)" if p["path"] in c["replace"] else ""
            lines.append(
                f"~ {name(c['urn'])}: {p['path']}: {json.dumps(p['before'])} → "
                f"{json.dumps(p['after'])}{note}"
            )
        lines += [f"! {name(c['urn'])}: {why}" for why in c.get("disruptive", [])]
    lines += [f"! {name(r['urn'])} removed: {r['why']}" for r in changes["disruptiveRemovals"]]
    lines += [f"warning: {w}" for w in changes["warnings"]["new"]]
    return lines


def _site_change(name: str, before: dict | None, after: dict | None) -> tuple[str, list[str]]:
    """(kind, lines) of one site's change, its own name taken out of the lines."""
    if after is None:
        return "removed", ["the site is no longer in the inventory: its resources are deleted"]
    if "error" in after or (before is not None and "error" in before):
        side = "head" if "error" in after else "BASE"
        message = (after if "error" in after else before or {})["error"]
        return "failed", [f"preview on {side} failed: {message.replace(name, '<site>')}"]
    plan = after["plan"]
    old = before["plan"] if before is not None else {"resources": []}
    lines = [line.replace(name, "<site>") for line in _lines(plandiff.diff(old, plan))]
    if before is None:
        return "new", [f"new site: {len(plan['resources'])} resources"]
    return ("changed" if lines else "unchanged"), lines


_ORDER = {"failed": 0, "removed": 1, "changed": 2, "new": 3}


def _groups(before: dict, after: dict) -> tuple[list[dict[str, Any]], list[str]]:
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    unchanged = []
    for name in sorted(set(before) | set(after)):
        kind, lines = _site_change(name, before.get(name), after.get(name))
        if kind == "unchanged":
            unchanged.append(name)
        else:
            groups.setdefault((kind, tuple(lines)), []).append(name)
    ordered = sorted(groups.items(), key=lambda g: (_ORDER[g[0][0]], -len(g[1]), g[0][1]))
    return [
        {
            "kind": kind,
            "sites": names,
            "changes": list(lines),
            "attention": kind in ("failed", "removed")
            or any(line.startswith("!") or "(replaces it)" in line for line in lines),
        }
        for (kind, lines), names in ordered
    ], unchanged


def _headline(group: dict[str, Any]) -> str:
    first = group["changes"][0] if group["changes"] else group["kind"]
    more = len(group["changes"]) - 1
    return first + (f" (and {more} more)" if more > 0 else "")


def _count(group: dict[str, Any]) -> str:
    return f"{len(group['sites'])} site{'s' if len(group['sites']) != 1 else ''}"


def render(document: dict[str, Any], format_: str) -> str:
    if format_ == "json":
        return json.dumps(document, indent=2, sort_keys=True) + "\n"
    groups = document["groups"]
    changed = sum(len(g["sites"]) for g in groups)
    intro = (
        f"{document['sites']} sites: {changed} changed in {len(groups)} "
        f"way{'s' if len(groups) != 1 else ''}, {len(document['unchanged'])} unchanged."
    )
    if format_ == "text":
        lines = [f"Fleet diff: {document['base']} ({document['commit'][:12]}) -> this change"]
        lines.append(intro)
        for g in groups:
            mark = "!! " if g["attention"] else ""
            lines.append(f"{mark}{_count(g)} ({g['kind']}): {', '.join(g['sites'])}")
            lines += [f"    {visible(line)}" for line in g["changes"]]
        return "\n".join(lines) + "\n"
    lines = [
        f"## Fleet diff: {md_code(document['base'])} ({document['commit'][:12]}) → this change",
        "",
        f"Every site of {md_code(document['inventory'])} previewed offline on both commits. "
        + intro,
        "",
    ]
    if groups:
        lines += ["| | Sites | Change |", "|---|---|---|"]
        for g in groups:
            mark = "⚠️" if g["attention"] else ""
            lines.append(f"| {mark} | {len(g['sites'])} | {md_code(_headline(g))} |")
        lines.append("")
    for g in groups:
        names = ", ".join(md_code(n) for n in g["sites"][:SHOWN_SITES])
        if len(g["sites"]) > SHOWN_SITES:
            names += f" and {len(g['sites']) - SHOWN_SITES} more"
        lines += [
            f"### {_count(g)} ({g['kind']})",
            "",
            f"<details><summary>Sites</summary>\n\n{names}\n\n</details>",
            "",
            "```",
            *(visible(line).replace("```", "`\u200b``") for line in g["changes"]),
            "```",
            "",
        ]
    return "\n".join(lines)
