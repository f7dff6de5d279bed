"""Runs one Pulumi program under the mock runtime; started by preflight as a subprocess.

A subprocess keeps every run clean (Pulumi's runtime state is global) and lets preflight stop a
program that hangs. The job comes as JSON on stdin (no size limit, unlike an environment
variable); the result goes as JSON to the pipe whose file descriptor is the first argument, so
whatever the program prints cannot corrupt it and nothing is written to disk.
"""

from __future__ import annotations

import json
import logging
import os
import runpy
import sys
import traceback
from pathlib import Path

import pulumi

from preflight import sdk
from preflight.program.monitor import Mocks, RecordingMonitor, wire
from preflight.program.stackfile import CONFIG_FILE_ENV


class _Diagnostics(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append({"severity": record.levelname.lower(), "message": record.getMessage()})


def run(job: dict) -> dict:
    program = Path(job["programDir"]).resolve()
    main = Path(job["main"])
    os.chdir(program)
    sys.path[:0] = (
        [str(main.parent)] if main.parent == program else [str(main.parent), str(program)]
    )
    if job["configFile"]:
        os.environ[CONFIG_FILE_ENV] = job["configFile"]
    diagnostics = _Diagnostics()
    logger = logging.getLogger("preflight.program")
    logger.propagate = False
    logger.addHandler(diagnostics)

    mock = Mocks()
    monitor = RecordingMonitor(mock, job["config"])
    sdk.set_mocks(
        mock,
        project=job["project"],
        stack=job["stack"],
        preview=True,
        logger=logger,
        monitor=monitor,
    )
    sdk.set_all_config(job["config"], job["secretKeys"])
    try:
        sdk.sync_await(sdk.run_pulumi_func(lambda: _run_program(main)))
        # The mock runtime finishes the root stack before the program runs, so its exports are
        # serialized here, as the engine would record them.
        root = sdk.get_root_resource()
        outputs = getattr(root, "outputs", {})
        exports = sdk.sync_await(sdk.rpc.serialize_properties(outputs, {}))
    except pulumi.RunError as err:
        errors = getattr(err, "errors", None)
        if errors is not None:
            return {
                "status": "invalid-settings",
                "file": getattr(err, "file", job["configFile"]),
                "errors": [{"path": p, "message": m} for p, m in errors],
            }
        return {"status": "program-error", "message": str(err), "location": ""}
    except BaseException as err:  # the program's bug: one line, located, no traceback
        return {
            "status": "program-error",
            "message": f"{type(err).__name__}: {err}",
            "location": _location(err, program),
        }
    return {
        "status": "ok",
        "registrations": monitor.registrations,
        "componentOutputs": monitor.component_outputs,
        "stackOutputs": wire(exports),
        "invokes": sorted(set(mock.invokes)),
        "diagnostics": diagnostics.records + monitor.diagnostics,
    }


def _run_program(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


def _location(err: BaseException, program: Path) -> str:
    """The innermost frame of the program's own code (not its libraries)."""
    where = ""
    for frame in traceback.extract_tb(err.__traceback__):
        path = Path(frame.filename)
        if path.is_relative_to(program) and ".venv" not in path.parts:
            where = f"{path.relative_to(program)}:{frame.lineno}"
    return where


def main() -> None:
    result_fd = int(sys.argv[1])
    os.set_inheritable(result_fd, False)  # nothing the program starts may hold the result pipe
    job = json.load(sys.stdin.buffer)
    result = json.dumps(run(job)).encode()
    view = memoryview(result)
    while view:
        view = view[os.write(result_fd, view) :]
    os.close(result_fd)
    sys.stdout.flush()
    # Pulumi's runtime leaves threads behind; the result is written, so leave at once.
    os._exit(0)


if __name__ == "__main__":
    main()
