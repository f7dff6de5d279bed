"""python -m preflight preview | check | diff | hosts | fleet: preview and policy gate, offline.

Exit codes (preflight.errors): 0 clean; 1 a mandatory policy violation (check); 2 invalid
settings or input files; 3 the program failed; 4 the policy pack failed; 64 a bad command line;
74 the output could not be written; 130 interrupted.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from common import cli
from preflight import processes
from preflight.cli import commands
from preflight.cli.output import Output
from preflight.errors import Failure
from preflight.program.launch import DEFAULT_TIMEOUT_S, PROJECT_DIR
from preflight.program.stackfile import STACK_NAME


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


def add_stack_source(p: argparse.ArgumentParser) -> None:
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--stack", type=_stack_name, help="stack name (stacks/Pulumi.<stack>.yaml); default dev"
    )
    source.add_argument("--config", help="any stack YAML file")


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--program", default=str(PROJECT_DIR), help="Pulumi program directory")
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=DEFAULT_TIMEOUT_S,
        help="seconds the program may run, and the policy pack may take to start and to answer "
        f"each call; default {DEFAULT_TIMEOUT_S}",
    )


def add_pack_options(p: argparse.ArgumentParser) -> None:
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


# One function per subcommand: each adds its parser and names the function that runs it.
def _add_preview(sub) -> None:
    p = sub.add_parser("preview", help="preview a stack offline")
    add_stack_source(p)
    add_run_options(p)
    p.add_argument("--format", choices=("text", "json", "markdown", "dot"), default="text")
    p.set_defaults(run=commands.preview)


def _add_check(sub) -> None:
    p = sub.add_parser("check", help="check a stack against the policy pack offline")
    add_stack_source(p)
    add_run_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_pack_options(p)
    p.set_defaults(run=commands.check)


def _add_diff(sub) -> None:
    p = sub.add_parser("diff", help="compare two JSON plans")
    p.add_argument("base")
    p.add_argument("head")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.set_defaults(run=commands.diff)


def _add_hosts(sub) -> None:
    p = sub.add_parser("hosts", help="list the egress rules (hosts) a stack needs")
    add_stack_source(p)
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.set_defaults(run=commands.hosts, program=str(PROJECT_DIR))


def _add_fleet(sub) -> None:
    from preflight.fleet import commands as fleet

    fleet.add_parsers(sub, add_run_options, add_pack_options)


SUBCOMMANDS: list[Callable[[Any], None]] = [
    _add_preview,
    _add_check,
    _add_diff,
    _add_hosts,
    _add_fleet,
]


def parser() -> argparse.ArgumentParser:
    top = cli.Parser(prog="python -m preflight", description=__doc__.splitlines()[0])
    sub = cli.subcommands(top, dest="command")
    for add in SUBCOMMANDS:
        add(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    cli.on_exit(processes.kill_all)
    out = Output()
    args = parser().parse_args(argv)
    try:
        return args.run(args, out)
    except Failure as failure:
        return out.fail(failure)
