"""python -m preflight preview | check | diff — Pulumi preview and policy gate, offline.

Exit codes: 0 clean; 1 a mandatory policy violation (check); 2 invalid settings or input files;
3 the program failed; 4 the policy pack failed; 64 wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from preflight import analyzer, render
from preflight import diff as plandiff
from preflight.plan import Graph, dumps
from preflight.stackfile import (
    StackConfig,
    StackFileError,
    find_stack_file,
    load_project,
    load_stack,
)

OK, VIOLATION, INVALID, PROGRAM_FAILED, PACK_FAILED, USAGE = 0, 1, 2, 3, 4, 64
PROJECT_DIR = Path(__file__).resolve().parent.parent
PROGRAM_TIMEOUT_S = 300


class Failure(Exception):
    def __init__(self, code: int, message: str, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.code, self.message, self.errors = code, message, errors or []


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        raise Failure(USAGE, f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m preflight", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, formats in (
        ("preview", ("text", "json", "markdown", "dot")),
        ("check", ("text", "json")),
    ):
        p = sub.add_parser(name, help=f"{name} a stack offline")
        source = p.add_mutually_exclusive_group()
        source.add_argument("--stack", help="stack name (stacks/Pulumi.<stack>.yaml); default dev")
        source.add_argument("--config", help="any stack YAML file")
        p.add_argument("--program", default=str(PROJECT_DIR), help="Pulumi program directory")
        p.add_argument("--format", choices=formats, default="text")
        if name == "check":
            p.add_argument("--policy-pack", default=str(PROJECT_DIR / "policy"))
            p.add_argument(
                "--policy-config", help="policy config JSON (pulumi's --policy-pack-config format)"
            )
    d = sub.add_parser("diff", help="compare two JSON plans")
    d.add_argument("base")
    d.add_argument("head")
    d.add_argument("--format", choices=("text", "markdown", "json"), default="text")
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
        return project, load_stack(path, project, os.path.relpath(path, program))
    except StackFileError as err:
        raise Failure(
            INVALID, str(err), [{"path": f"{err.file}: {err.path}", "message": err.message}]
        ) from None


def _run(project, stack: StackConfig) -> Graph:
    job = {
        "programDir": str(project.directory),
        "project": project.name,
        "stack": stack.stack,
        "config": stack.config,
        "secretKeys": stack.secret_keys,
        "configFile": stack.file,
        "main": project.main,
    }
    result_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"preflight-{os.getpid()}.json"
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "preflight.runner", str(result_file)],
            input=json.dumps(job),
            text=True,
            capture_output=True,
            env=env,
            timeout=PROGRAM_TIMEOUT_S,
        )
        result = json.loads(result_file.read_text()) if result_file.exists() else None
    except subprocess.TimeoutExpired:
        raise Failure(
            PROGRAM_FAILED, f"the program did not finish within {PROGRAM_TIMEOUT_S} s"
        ) from None
    finally:
        result_file.unlink(missing_ok=True)
    if result is None:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise Failure(
            PROGRAM_FAILED, f"the program runner stopped (exit {proc.returncode}): {last}"
        )
    if result["status"] == "invalid-settings":
        errors = [{"path": e["path"], "message": e["message"]} for e in result["errors"]]
        raise Failure(INVALID, f"{result['file']}: invalid settings", errors)
    if result["status"] == "program-error":
        where = f" ({result['location']})" if result.get("location") else ""
        raise Failure(PROGRAM_FAILED, f"the program failed{where}: {result['message']}")
    return Graph.from_run(project.name, stack.stack, stack.file, result)


def preview(args) -> int:
    project, stack = _stack(args)
    plan = _run(project, stack).plan()
    out = {"json": dumps, "text": render.text, "markdown": render.markdown, "dot": render.dot}
    sys.stdout.write(out[args.format](plan))
    return OK


def check(args) -> int:
    try:
        policy_config = analyzer.load_policy_config(args.policy_config)
    except analyzer.PolicyConfigError as err:
        raise Failure(
            INVALID, str(err), [{"path": args.policy_config, "message": str(err)}]
        ) from None
    try:
        project, stack = _stack(args)
        graph = _run(project, stack)
    except Failure as failure:
        if failure.code != INVALID:
            raise
        _emit_check(
            args,
            {
                "errors": failure.errors or [{"path": "", "message": failure.message}],
                "violations": [],
                "mandatory": 0,
            },
        )
        return INVALID
    try:
        analysis = analyzer.analyze(
            graph, Path(args.policy_pack).resolve(), stack.config, policy_config
        )
    except analyzer.PolicyConfigError as err:
        raise Failure(
            INVALID, str(err), [{"path": args.policy_config or "", "message": str(err)}]
        ) from None
    except analyzer.PolicyPackError as err:
        raise Failure(PACK_FAILED, f"policy pack failed: {err}") from None
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
        "mandatory": len(analysis.mandatory),
    }
    _emit_check(args, result)
    return VIOLATION if analysis.mandatory else OK


def _emit_check(args, result: dict[str, Any]) -> None:
    if args.format == "json":
        sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render.check_text(result))


def diff(args) -> int:
    plans = []
    for path in (args.base, args.head):
        try:
            plans.append(json.loads(Path(path).read_text()))
        except (OSError, json.JSONDecodeError) as err:
            raise Failure(INVALID, f"{path}: not a readable JSON plan: {err}") from None
        if not isinstance(plans[-1], dict) or "resources" not in plans[-1]:
            raise Failure(INVALID, f"{path}: not a preflight plan (no resources)")
    d = plandiff.diff(*plans)
    out = {
        "json": lambda x: json.dumps(x, indent=2, sort_keys=True) + "\n",
        "text": plandiff.text,
        "markdown": plandiff.markdown,
    }
    sys.stdout.write(out[args.format](d))
    return OK


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return {"preview": preview, "check": check, "diff": diff}[args.command](args)
    except Failure as failure:
        print(f"preflight: {failure.message}", file=sys.stderr)
        for e in failure.errors:
            if e["path"] not in failure.message:
                print(f"  {e['path']}: {e['message']}", file=sys.stderr)
            elif e["message"] not in failure.message:
                print(f"  {e['message']}", file=sys.stderr)
        return failure.code
    except KeyboardInterrupt:
        return 130
