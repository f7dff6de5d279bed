"""python -m preflight preview | check | diff | hosts — Pulumi preview and policy gate, offline.

Exit codes: 0 clean; 1 a mandatory policy violation (check); 2 invalid settings or input files;
3 the program failed; 4 the policy pack failed; 64 wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from preflight import diff as plandiff
from preflight import processes, render
from preflight.redaction import Redactor
from preflight.stackfile import (
    CONFIG_FILE_ENV,
    STACK_NAME,
    StackConfig,
    StackFileError,
    empty_stack,
    find_stack_file,
    load_project,
    load_stack,
)

if TYPE_CHECKING:
    from preflight.plan import Graph
    from preflight.policyconfig import PolicyConfigError

OK, VIOLATION, INVALID, PROGRAM_FAILED, PACK_FAILED, USAGE = 0, 1, 2, 3, 4, 64
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_TIMEOUT_S = 300


class Failure(Exception):
    def __init__(self, code: int, message: str, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors or []


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        raise Failure(USAGE, f"{self.prog}: {message}")


def _stack_name(text: str) -> str:
    if not STACK_NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a stack name (letters, digits, '_', '.', '-'; 1 to 100 characters)"
        )
    return text


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds in (0, 86400]")
    return value


def _tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


def _add_source(p: argparse.ArgumentParser) -> None:
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--stack", type=_stack_name, help="stack name (stacks/Pulumi.<stack>.yaml); default dev"
    )
    source.add_argument("--config", help="any stack YAML file")
    p.add_argument("--program", default=str(PROJECT_DIR), help="Pulumi program directory")
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=DEFAULT_TIMEOUT_S,
        help="seconds the program may run, and the policy pack may take to start and to answer "
        f"each call; default {DEFAULT_TIMEOUT_S}",
    )


# One function per subcommand: each adds its parser and names the function that runs it.
def _add_preview(sub) -> None:
    p = sub.add_parser("preview", help="preview a stack offline")
    _add_source(p)
    p.add_argument("--format", choices=("text", "json", "markdown", "dot"), default="text")
    p.set_defaults(run=preview)


def _add_check(sub) -> None:
    p = sub.add_parser("check", help="check a stack against the policy pack offline")
    _add_source(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--policy-pack", default=str(PROJECT_DIR / "policy"))
    p.add_argument(
        "--policy-config", help="policy config JSON (pulumi's --policy-pack-config format)"
    )
    p.add_argument(
        "--tag", type=_tag, action="append", default=[], metavar="KEY=VALUE", help="stack tag"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="also fail when a mandatory policy could not be evaluated at preview",
    )
    p.set_defaults(run=check)


def _add_diff(sub) -> None:
    p = sub.add_parser("diff", help="compare two JSON plans")
    p.add_argument("base")
    p.add_argument("head")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.set_defaults(run=diff)


def _add_hosts(sub) -> None:
    p = sub.add_parser("hosts", help="list the egress rules (hosts) a stack needs")
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--stack", type=_stack_name, help="stack name (stacks/Pulumi.<stack>.yaml); default dev"
    )
    source.add_argument("--config", help="any stack YAML file")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(run=hosts, program=str(PROJECT_DIR))


SUBCOMMANDS: list[Callable[[Any], None]] = [_add_preview, _add_check, _add_diff, _add_hosts]


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m preflight", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def _stack(args) -> tuple[Any, StackConfig]:
    program = Path(args.program).resolve()
    if not (program / "Pulumi.yaml").is_file():
        raise Failure(INVALID, f"{args.program}: not a Pulumi program (no Pulumi.yaml)")
    try:
        project = load_project(program)
        if args.config:
            path = Path(args.config)
            return project, load_stack(path.resolve(), project, args.config)
        path = find_stack_file(project, args.stack or "dev")
        if path is None:
            return project, empty_stack(args.stack or "dev")
        return project, load_stack(path, project, os.path.relpath(path, program))
    except StackFileError as err:
        raise Failure(
            INVALID, str(err), [{"path": f"{err.file}: {err.path}", "message": err.message}]
        ) from None


# The Pulumi SDK (preflight.plan, preflight.analyzer) and the stack settings (preflight.hosts)
# are imported where used: `diff` needs neither and starts in a fraction of the time.


def _run(project, stack: StackConfig, timeout: float) -> Graph:
    from preflight.plan import Graph

    job = {
        "programDir": str(project.directory),
        "project": project.name,
        "stack": stack.stack,
        "config": stack.config,
        "secretKeys": stack.secret_keys,
        "configFile": stack.file,
        "main": str(project.main),
    }
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
    )
    env.pop(CONFIG_FILE_ENV, None)
    try:
        raw, status, stderr = processes.run_with_result(
            [sys.executable, "-m", "preflight.runner"],
            json.dumps(job).encode(),
            env=env,
            timeout=timeout,
        )
    except (processes.ChildError, OSError) as err:
        raise Failure(PROGRAM_FAILED, f"the program {err}") from None
    try:
        result = json.loads(raw) if raw else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        raise Failure(PROGRAM_FAILED, f"the program runner stopped (exit {status}): {last}")
    if result["status"] == "invalid-settings":
        file = result.get("file") or stack.file or "(no stack file)"
        errors = [
            {"path": f"{file}: {e['path']}", "message": e["message"]} for e in result["errors"]
        ]
        raise Failure(INVALID, f"{file}: invalid settings", errors)
    if result["status"] == "program-error":
        where = f" ({result['location']})" if result.get("location") else ""
        raise Failure(PROGRAM_FAILED, f"the program failed{where}: {result['message']}")
    return Graph.from_run(
        project.name, stack.stack, stack.file, result, stack.config, frozenset(stack.secret_keys)
    )


def _redactor(stack: StackConfig, graph: Graph | None = None) -> Redactor:
    from preflight.plan import secret_strings

    secrets = list(stack.secret_values)
    if graph is not None:
        for r in graph.resources:
            secrets += secret_strings(r.inputs)
            secrets += secret_strings(r.outputs)
        secrets += secret_strings(graph.stack_outputs)
    return Redactor(secrets)


def preview(args, out: Output) -> int:
    from preflight.plan import dumps

    project, stack = _stack(args)
    out.redact = _redactor(stack)
    graph = _run(project, stack, args.timeout)
    out.redact = _redactor(stack, graph)
    plan = graph.plan()
    formats = {"json": dumps, "text": render.text, "markdown": render.markdown, "dot": render.dot}
    out.write(formats[args.format](plan))
    return OK


def check(args, out: Output) -> int:
    from preflight import analyzer, packprocess, policyconfig

    out.check_format = args.format
    try:
        policy_config = policyconfig.load_policy_config(args.policy_config)
    except policyconfig.PolicyConfigError as err:
        raise _config_failure(err, args) from None
    project, stack = _stack(args)
    out.redact = _redactor(stack)
    try:
        pack = packprocess.PolicyPack(
            Path(args.policy_pack).resolve(), project.name, stack.stack, stack.config
        )
    except packprocess.PolicyPackError as err:
        raise Failure(PACK_FAILED, f"policy pack failed: {err}") from None
    try:
        graph = _run(project, stack, args.timeout)
        out.redact = _redactor(stack, graph)
        analysis = analyzer.analyze(
            graph,
            pack,
            stack.config,
            stack.secret_keys,
            policy_config,
            dict(args.tag),
            args.timeout,
        )
    except policyconfig.PolicyConfigError as err:
        raise _config_failure(err, args) from None
    except packprocess.PolicyPackError as err:
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
    out.write(_check_output(args.format, result))
    return VIOLATION if analysis.mandatory or unevaluated else OK


def _config_failure(err: PolicyConfigError, args) -> Failure:
    where = args.policy_config or args.policy_pack
    errors = [{"path": f"{where}: {name}", "message": message} for name, message in err.problems]
    return Failure(INVALID, str(err), errors)


def _check_output(format_: str, result: dict[str, Any]) -> str:
    if format_ == "json":
        return json.dumps(result, indent=2, sort_keys=True) + "\n"
    return render.check_text(result)


def hosts(args, out: Output) -> int:
    from preflight import hosts as egress_hosts

    project, stack = _stack(args)
    out.redact = _redactor(stack)
    try:
        rules = egress_hosts.listing(project.directory, stack)
    except egress_hosts.InvalidSettings as err:
        errors = [{"path": f"{err.file}: {path}", "message": m} for path, m in err.errors]
        raise Failure(INVALID, str(err), errors) from None
    out.write(egress_hosts.render(rules, args.format))
    if args.format != "text":
        sys.stderr.write(out.redact(egress_hosts.note(rules)))
    return OK


def diff(args, out: Output) -> int:
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


class Output:
    """Everything preflight prints goes through here, redacted of the run's secrets."""

    def __init__(self):
        self.redact = Redactor()
        self.check_format: str | None = None

    def write(self, text: str) -> None:
        sys.stdout.write(self.redact(text))

    def fail(self, failure: Failure) -> int:
        errors = failure.errors or [{"path": "", "message": failure.message}]
        if self.check_format == "json":
            # A check always answers in its format: a CI step parsing JSON gets JSON on 2, 3, 4.
            self.write(
                _check_output(
                    self.check_format,
                    {"errors": errors, "violations": [], "mandatory": 0, "exitCode": failure.code},
                )
            )
        # One line per problem: names and values from files are shown with escapes.
        lines = [f"preflight: {render.visible(failure.message)}"]
        for e in failure.errors:
            if e["path"] not in failure.message:
                lines.append(f"  {render.visible(e['path'])}: {render.visible(e['message'])}")
            elif e["message"] not in failure.message:
                lines.append(f"  {render.visible(e['message'])}")
        sys.stderr.write(self.redact("\n".join(lines)) + "\n")
        return failure.code


def main(argv: list[str] | None = None) -> int:
    processes.install_signal_handlers()
    out = Output()
    try:
        args = _parser().parse_args(argv)
        return args.run(args, out)
    except Failure as failure:
        return out.fail(failure)
    except KeyboardInterrupt:
        return 130
    finally:
        processes.kill_all()
