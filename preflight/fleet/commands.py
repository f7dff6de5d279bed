"""python -m preflight fleet check | plan | preview | diff: a fleet inventory's sites, in one run.

check: every site previewed and gated (exit: the worst site's, 0/1/2/3/4 as `check`; the
inventory's own problems are 2, a fleet quota exceeded is 1). plan: the waves in rollout order,
in chunks for a CI matrix. preview: every site's plan. diff: which sites a change touches,
grouped by identical change.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from common import cli
from preflight.cli.output import Output
from preflight.errors import INVALID, OK, VIOLATION, Failure, located
from preflight.report import render

MAX_JOBS = 64
# One site's program per core: the runs are CPU-bound (the pack and preflight share the cores).
DEFAULT_JOBS = min(MAX_JOBS, max(2, os.cpu_count() or 2))


def _count(what: str, high: int):
    """An argparse type: a plain ASCII whole number of `what` from 1 to `high`."""

    def parse(text: str) -> int:
        value = int(text) if text.isascii() and text.isdigit() else 0
        if not 1 <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of {what} from 1 to {high}")
        return value

    return parse


_jobs = _count("jobs", MAX_JOBS)
_chunk = _count("sites", 1000)


def add_parsers(sub, add_run_options, add_pack_options) -> None:
    fleet = sub.add_parser("fleet", help="check, plan or diff every site of a fleet inventory")
    commands = fleet.add_subparsers(dest="fleet_command", metavar="{check,plan,preview,diff}")
    commands.required = True

    p = commands.add_parser("check", help="preview and gate every site in one run")
    p.add_argument("--inventory", required=True, help="the fleet inventory (YAML or CSV)")
    add_run_options(p)
    add_pack_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=DEFAULT_JOBS,
        help="sites whose programs run at once; default the number of cores (at least 2)",
    )
    p.set_defaults(run=check)

    p = commands.add_parser("plan", help="the waves in rollout order, for a CI matrix")
    p.add_argument("--inventory", required=True)
    p.add_argument("--format", choices=("text", "json", "github-matrix"), default="text")
    p.add_argument(
        "--chunk",
        type=_chunk,
        default=10,
        help="sites per CI job (deployed one after another in it); default 10",
    )
    p.set_defaults(run=plan)

    p = commands.add_parser("preview", help="every site's JSON plan, in one document")
    p.add_argument("--inventory", required=True)
    add_run_options(p)
    p.add_argument("--format", choices=("json",), default="json")
    p.add_argument("--jobs", type=_jobs, default=DEFAULT_JOBS)
    p.set_defaults(run=preview)

    p = commands.add_parser("diff", help="which sites a change touches, grouped by change")
    p.add_argument(
        "base", nargs="?", help="a git ref of this repository (the change's base); default $BASE"
    )
    p.add_argument("--inventory", help="the fleet inventory; default $INVENTORY")
    add_run_options(p)
    p.add_argument("--format", choices=("markdown", "text", "json"), default="markdown")
    p.add_argument("--jobs", type=_jobs, default=DEFAULT_JOBS)
    p.set_defaults(run=diff)


def check(args, out: Output) -> int:
    from preflight.cli.commands import policy_config
    from preflight.fleet import check as fleet_check
    from preflight.report.redaction import Redactor

    out.check_format = args.format
    policies = policy_config(args)
    inventory = fleet_check.load_inventory(args.inventory, args.program)
    results, fleet = fleet_check.check(
        inventory,
        args.program,
        args.policy_pack,
        policies,
        dict(args.tag),
        args.jobs,
        args.timeout,
        args.strict,
    )
    out.redact = Redactor([s for r in results for s in r.secrets])
    code = max([r.exit_code for r in results] + [OK])
    if fleet["errors"]:
        code = max(code, INVALID)
    if fleet["violations"]:
        code = max(code, VIOLATION)
    document = {
        "inventory": inventory.file,
        "sites": [r.as_json() for r in results],
        "fleet": fleet,
        "summary": _summary(results, fleet, code),
    }
    if args.format == "json":
        out.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    else:
        out.write(check_text(document))
    return code


def _summary(results, fleet: dict[str, Any], code: int) -> dict[str, Any]:
    by_code: dict[str, int] = {}
    policies: dict[str, int] = {}
    for r in results:
        by_code[str(r.exit_code)] = by_code.get(str(r.exit_code), 0) + 1
        for v in r.violations:
            if v["enforcementLevel"] == "mandatory":
                policies[v["policy"]] = policies.get(v["policy"], 0) + 1
    return {
        "sites": len(results),
        "clean": by_code.get(str(OK), 0),
        "byExitCode": dict(sorted(by_code.items())),
        "mandatoryByPolicy": dict(sorted(policies.items())),
        "fleetErrors": len(fleet["errors"]),
        "fleetViolations": len(fleet["violations"]),
        "exitCode": code,
    }


_STATUS = {0: "ok", 1: "violation", 2: "invalid", 3: "program failed", 4: "pack failed"}


def check_text(document: dict[str, Any]) -> str:
    """A table of sites, then each failing site's problems, then the fleet's own."""
    sites = document["sites"]
    width = max([len(render.visible(s["name"])) for s in sites] + [4])
    wave_width = max([len(render.visible(s["wave"])) for s in sites] + [4])
    lines = [f"{'site':<{width}}  {'wave':<{wave_width}}  {'exit':<4}  status"]
    for s in sites:
        mandatory = [v for v in s["violations"] if v["enforcementLevel"] == "mandatory"]
        advisory = len(s["violations"]) - len(mandatory)
        status = _STATUS.get(s["exitCode"], str(s["exitCode"]))
        if mandatory:
            status += ": " + ", ".join(sorted({v["policy"] for v in mandatory}))
        if s["errors"]:
            status += f" ({len(s['errors'])} error{'s' if len(s['errors']) != 1 else ''})"
        if advisory:
            status += f"; {advisory} advisory"
        lines.append(
            f"{render.visible(s['name']):<{width}}  {render.visible(s['wave']):<{wave_width}}  "
            f"{s['exitCode']:<4}  {status}"
        )
    for s in sites:
        if s["exitCode"] == OK:
            continue
        lines.append("")
        lines.append(f"{render.visible(s['name'])} ({render.visible(s['stack'])}):")
        lines += [
            f"    {render.visible(e['path'])}: {render.visible(e['message'])}" for e in s["errors"]
        ]
        for v in s["violations"]:
            if v["enforcementLevel"] != "mandatory":
                continue
            lines.append(
                f"    - [mandatory]  {render.visible(v['policy'])}  "
                f"({render.visible(v['urn'].split('::')[-1])})"
            )
            lines += [f"          {render.visible(x)}" for x in v["message"].splitlines()]
    fleet = document["fleet"]
    if fleet["errors"] or fleet["violations"]:
        lines += ["", "Fleet:"]
        lines += [
            f"    {render.visible(e['path'])}: {render.visible(e['message'])}"
            for e in fleet["errors"]
        ]
        lines += [
            f"    - [mandatory]  {v['policy']}: {render.visible(v['message'])}"
            for v in fleet["violations"]
        ]
    summary = document["summary"]
    lines += [
        "",
        f"{summary['clean']} of {summary['sites']} sites clean; exit {summary['exitCode']}",
    ]
    return "\n".join(lines) + "\n"


def plan(args, out: Output) -> int:
    from preflight.fleet import check as fleet_check
    from preflight.fleet import waves

    inventory = fleet_check.load_inventory(args.inventory, ".")
    # Any problem of the inventory itself or of a site's entry (a name, a wave, a key) stops the
    # plan: a rollout never starts from an inventory `fleet check` would refuse.
    problems = inventory.problems + [p for site in inventory.sites for p in site.problems]
    if problems:
        errors = located(inventory.file, problems)
        raise Failure(INVALID, f"{inventory.file}: the waves cannot be planned", errors)
    out.write(waves.render(waves.plan(inventory, args.chunk), args.format))
    return OK


def preview(args, out: Output) -> int:
    from preflight.fleet import diff as fleet_diff
    from preflight.report.redaction import Redactor

    found = fleet_diff.previews(args.inventory, args.program, args.jobs, args.timeout)
    out.redact = Redactor(found.secrets)
    out.write(json.dumps({"sites": found.sites}, indent=2, sort_keys=True) + "\n")
    return OK


def diff(args, out: Output) -> int:
    from preflight.fleet import diff as fleet_diff

    base = args.base if args.base is not None else os.environ.get("BASE", "")
    inventory = args.inventory or os.environ.get("INVENTORY", "")
    if not inventory:
        raise cli.UsageError("fleet diff needs --inventory FILE (or INVENTORY in the environment)")
    report = fleet_diff.diff(base, inventory, args.program, args.jobs, args.timeout)
    out.redact = report.redactor
    out.write(fleet_diff.render(report.document, args.format))
    return OK
