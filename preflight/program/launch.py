"""A stack and its program, found as the pulumi CLI finds them, run under the mock runtime in a
child process (preflight.program.runner), and the result as a resource graph."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.tokens import FLEET_STACK_PREFIX
from common import cli
from preflight import processes
from preflight.errors import INVALID, PROGRAM_FAILED, Failure, located
from preflight.program import passphrase
from preflight.program.stackfile import (
    CONFIG_FILE_ENV,
    SECRET_PLACEHOLDER,
    Project,
    StackConfig,
    StackFileError,
    empty_stack,
    find_stack_file,
    load_project,
    load_stack,
    own_stack_file,
)
from preflight.report.redaction import Redactor

if TYPE_CHECKING:
    from preflight.report.plan import Graph

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT_S = 300
DEFAULT_STACK = "dev"


def load(program_dir: str, config: str | None, stack: str | None) -> tuple[Project, StackConfig]:
    """The project at `program_dir` and its stack: the file `config`, else stack `stack`'s file
    (a stack without a file has no config, as with the pulumi CLI)."""
    program = Path(program_dir).resolve()
    if not (program / "Pulumi.yaml").is_file():
        raise Failure(INVALID, f"{program_dir}: not a Pulumi program (no Pulumi.yaml)")
    try:
        project = load_project(program)
        if config:
            found = load_stack(Path(config).resolve(), project, config)
        else:
            name = stack or DEFAULT_STACK
            # A fleet site's stack needs no file: its settings are the inventory's.
            fleet_site = name.startswith(FLEET_STACK_PREFIX)
            path = own_stack_file(project, name) if fleet_site else find_stack_file(project, name)
            if path is None:
                return project, empty_stack(name)
            found = load_stack(path, project, os.path.relpath(path, program))
    except StackFileError as err:
        raise Failure(INVALID, str(err), located(err.file, [(err.where, err.message)])) from None
    _note_placeholders(found)
    return project, found


def _note_placeholders(stack: StackConfig) -> None:
    """Once, on stderr: secure values that preview as placeholders, and why."""
    if SECRET_PLACEHOLDER not in stack.secret_values:
        return
    if passphrase.ENV not in os.environ and not os.environ.get(passphrase.FILE_ENV):
        why = f"set {passphrase.ENV} or {passphrase.FILE_ENV} to decrypt and check them"
    else:
        why = "its secrets provider is not pulumi's passphrase one (no encryptionsalt)"
    cli.warn(
        f"preflight: {stack.file}: secure values are not decrypted ({why}); "
        "they preview as placeholders"
    )


def job(project: Project, stack: StackConfig) -> dict:
    """What the runner needs to run the program once."""
    return {
        "programDir": str(project.directory),
        "project": project.name,
        "stack": stack.stack,
        "config": stack.config,
        "secretKeys": stack.secret_keys,
        "configFile": stack.file,
        "main": str(project.main),
    }


def runner_environment() -> dict[str, str]:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
    )
    env.pop(CONFIG_FILE_ENV, None)
    return env


def run(project: Project, stack: StackConfig, timeout: float) -> Graph:
    """Run the program once, as `pulumi preview` would; its outcome as a Graph or a Failure."""
    try:
        raw, status, stderr = processes.run_with_result(
            [sys.executable, "-m", "preflight.program.runner"],
            json.dumps(job(project, stack)).encode(),
            env=runner_environment(),
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
    return graph(project, stack, result)


def graph(project: Project, stack: StackConfig, result: dict) -> Graph:
    """The runner's result as a Graph; invalid settings and program errors as a Failure."""
    from preflight.report.plan import Graph

    if result["status"] == "invalid-settings":
        file = result.get("file") or stack.file or "(no stack file)"
        errors = located(file, [(e["path"], e["message"]) for e in result["errors"]])
        raise Failure(INVALID, f"{file}: invalid settings", errors)
    if result["status"] == "program-error":
        where = f" ({result['location']})" if result.get("location") else ""
        raise Failure(PROGRAM_FAILED, f"the program failed{where}: {result['message']}")
    return Graph.from_run(
        project.name, stack.stack, stack.file, result, stack.config, frozenset(stack.secret_keys)
    )


def redactor(stack: StackConfig, graph: Graph | None = None) -> Redactor:
    """A redactor of every secret of the stack and, once the program ran, of its graph."""
    return Redactor(secrets(stack, graph))


def secrets(stack: StackConfig, graph: Graph | None = None) -> list[str]:
    """Every secret string of the stack and, once the program ran, of its graph."""
    from preflight.report.plan import secret_strings

    found = list(stack.secret_values)
    if graph is not None:
        for r in graph.resources:
            found += secret_strings(r.inputs)
            found += secret_strings(r.outputs)
        found += secret_strings(graph.stack_outputs)
    return found
