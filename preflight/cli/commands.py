"""The commands: preview, check, hosts and diff. Each takes its parsed arguments and the output,
and returns its exit code or raises Failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.cli.output import Output, check_output
from preflight.errors import INVALID, OK, PACK_FAILED, VIOLATION, Failure, located
from preflight.program import launch
from preflight.report import render

if TYPE_CHECKING:
    from preflight.pack.policyconfig import PolicyConfigError

# The Pulumi SDK (preflight.report.plan, preflight.pack) and the stack settings
# (preflight.report.hosts) are imported where used: `diff` needs neither and starts fast.


def preview(args, out: Output) -> int:
    from preflight.report.plan import dumps

    project, stack = launch.load(args.program, args.config, args.stack)
    out.redact = launch.redactor(stack)
    graph = launch.run(project, stack, args.timeout)
    out.redact = launch.redactor(stack, graph)
    plan = graph.plan()
    formats = {"json": dumps, "text": render.text, "markdown": render.markdown, "dot": render.dot}
    out.write(formats[args.format](plan))
    return OK


def policy_config(args) -> dict:
    """The `--policy-config` file's policies, or Failure (2) naming the file and the policy."""
    from preflight.pack import policyconfig

    try:
        return policyconfig.load_policy_config(args.policy_config)
    except policyconfig.PolicyConfigError as err:
        raise _config_failure(err, args) from None


def check(args, out: Output) -> int:
    from preflight.pack import analyzer, policyconfig
    from preflight.pack.process import PolicyPack, PolicyPackError

    out.check_format = args.format
    config = policy_config(args)
    project, stack = launch.load(args.program, args.config, args.stack)
    out.redact = launch.redactor(stack)
    try:
        pack = PolicyPack(Path(args.policy_pack).resolve(), project.name, stack.stack, stack.config)
    except PolicyPackError as err:
        raise Failure(PACK_FAILED, f"policy pack failed: {err}") from None
    try:
        graph = launch.run(project, stack, args.timeout)
        out.redact = launch.redactor(stack, graph)
        analysis = analyzer.analyze(
            graph,
            pack,
            stack.config,
            stack.secret_keys,
            config,
            dict(args.tag),
            args.timeout,
        )
    except policyconfig.PolicyConfigError as err:
        raise _config_failure(err, args) from None
    except PolicyPackError as err:
        raise Failure(PACK_FAILED, f"policy pack failed: {err}") from None
    finally:
        pack.close()
    unevaluated = analysis.unevaluated_gates if args.strict else []
    result = {
        "stack": stack.stack,
        "config": stack.file,
        "policyPack": {
            "name": analysis.pack,
            "version": analysis.version,
            "policies": analysis.policies,
        },
        "errors": [],
        "violations": [v.as_json() for v in analysis.violations],
        "remediations": analysis.remediations,
        "warnings": [d["message"] for d in graph.diagnostics if d["severity"] == "warning"],
        "mandatory": len(analysis.mandatory),
        "unevaluatedMandatory": len(unevaluated),
    }
    out.write(check_output(args.format, result))
    return VIOLATION if analysis.mandatory or unevaluated else OK


def _config_failure(err: PolicyConfigError, args) -> Failure:
    where = args.policy_config or args.policy_pack
    return Failure(INVALID, str(err), located(where, err.problems))


def hosts(args, out: Output) -> int:
    from preflight.report import hosts as egress_hosts

    project, stack = launch.load(args.program, args.config, args.stack)
    out.redact = launch.redactor(stack)
    try:
        rules = egress_hosts.listing(project.directory, stack)
    except egress_hosts.InvalidSettings as err:
        raise Failure(INVALID, str(err), located(err.file, err.errors)) from None
    out.write(egress_hosts.render(rules, args.format))
    if args.format != "text":
        out.note(egress_hosts.note(rules))
    return OK


def diff(args, out: Output) -> int:
    from preflight.report import diff as plandiff

    try:
        changes = plandiff.diff(plandiff.read_plan(args.base), plandiff.read_plan(args.head))
    except plandiff.PlanError as err:
        raise Failure(INVALID, str(err)) from None
    formats = {
        "json": lambda x: json.dumps(x, indent=2, sort_keys=True) + "\n",
        "text": plandiff.text,
        "markdown": plandiff.markdown,
    }
    out.write(formats[args.format](changes))
    return OK
