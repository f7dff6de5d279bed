"""Many runs of the program through one runner server (preflight/fleet/server.py), each site's
result as preflight.program.launch gives one run's: a Graph, or a Failure (`Runs`).

The server is a child of preflight like the runner of `check`: in its own process group (its
forked children in it too), ended when the run is done, on error and on signals.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from preflight import processes
from preflight.errors import PROGRAM_FAILED, Failure
from preflight.program import launch
from preflight.program.stackfile import Project, StackConfig
from stacks.settings.sites import INVENTORY_ENV

if TYPE_CHECKING:
    from preflight.report.plan import Graph


@dataclass(frozen=True)
class Outcome:
    """One site's run: its runner result (a dict, as the runner gives it) or why there is none."""

    job_id: int
    key: Any
    result: dict | None
    failure: Failure | None


class RunnerServer:
    def __init__(self, project: Project, jobs: int, timeout: float, inventory: str = ""):
        """`inventory`: the fleet inventory the programs read (AZUREML_K8S_INVENTORY), loaded
        by the server before it forks any run."""
        self.project = project
        env = launch.runner_environment()
        if inventory:
            env[INVENTORY_ENV] = inventory
        read_end, write_end = os.pipe()
        try:
            self.process = processes.start(
                [sys.executable, "-m", "preflight.fleet.server", str(write_end)],
                env=env,
                pass_fds=(write_end,),
            )
        except OSError as err:
            os.close(read_end)
            raise Failure(PROGRAM_FAILED, f"the program runner did not start: {err}") from None
        finally:
            os.close(write_end)
        self._results: IO[bytes] = os.fdopen(read_end, "rb")
        self._stderr = processes.Tail(self.process.stderr)
        processes.Tail(self.process.stdout)  # drained, never shown
        self._keys: dict[int, Any] = {}
        self._outcomes: queue.Queue[Outcome | None] = queue.Queue()
        self._lock = threading.Lock()
        self._send(
            {
                "jobs": jobs,
                "timeout": timeout,
                "programDir": str(project.directory),
                "main": str(project.main),
                "inventory": inventory,
            }
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _send(self, message: dict) -> None:
        line = json.dumps(message).encode() + b"\n"
        with self._lock, contextlib.suppress(OSError, ValueError):
            self.process.stdin.write(line)
            self.process.stdin.flush()

    def submit(self, key: Any, stack: StackConfig) -> None:
        """Run the program for one stack; its outcome comes from `outcomes` under `key`."""
        job_id = len(self._keys)
        self._keys[job_id] = key
        self._send({"id": job_id, "job": launch.job(self.project, stack)})

    def outcomes(self) -> Iterator[Outcome]:
        """Every submitted run's outcome, in the order they finish; call after the last submit."""
        with self._lock, contextlib.suppress(OSError, ValueError):
            self.process.stdin.close()
        remaining = set(self._keys)
        while remaining:
            outcome = self._outcomes.get()
            if outcome is None:
                break
            remaining.discard(outcome.job_id)
            yield outcome
        if remaining:  # the server stopped early: the runs it did not answer failed with it
            processes.kill_group(self.process)
            last = (self._stderr.text(0.5).strip().splitlines() or ["no output"])[-1]
            message = f"the program runner stopped (exit {self.process.returncode}): {last}"
            for job_id in sorted(remaining):
                yield Outcome(job_id, self._keys[job_id], None, Failure(PROGRAM_FAILED, message))

    def _read(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while line := self._results.readline():
                header = json.loads(line)
                size = int(header["bytes"])
                if size > processes.MAX_RESULT_BYTES:
                    break
                body = self._results.read(size) if size else b""
                self._outcomes.put(self._outcome(header, body))
        self._outcomes.put(None)

    def _outcome(self, header: dict, body: bytes) -> Outcome:
        job_id = header["id"]
        key = self._keys[job_id]
        if header["error"]:
            return Outcome(
                job_id, key, None, Failure(PROGRAM_FAILED, f"the program {header['error']}")
            )
        try:
            result = json.loads(body) if body else None
        except ValueError:
            result = None
        if not isinstance(result, dict):
            last = header["stderr"] or "no output"
            message = f"the program runner stopped (exit {header['status']}): {last}"
            return Outcome(job_id, key, None, Failure(PROGRAM_FAILED, message))
        return Outcome(job_id, key, result, None)

    def close(self) -> None:
        processes.kill_group(self.process)
        with contextlib.suppress(OSError):
            self._results.close()


class Runs:
    """Stacks run through one RunnerServer, all submitted at once, so the runs go on while the
    caller does other work (starting a policy pack); `finished` yields each stack's Graph, or the
    Failure `preflight check` would end with for it, as its run ends. A context manager: the
    server is ended on leaving."""

    def __init__(
        self,
        project: Project,
        stacks: dict[Any, StackConfig],
        jobs: int,
        timeout: float,
        inventory: str = "",
    ):
        self.project, self.stacks = project, stacks
        self.server = RunnerServer(project, jobs, timeout, inventory)
        for key, stack in stacks.items():
            self.server.submit(key, stack)

    def finished(self) -> Iterator[tuple[Any, Graph | Failure]]:
        for outcome in self.server.outcomes():
            stack = self.stacks[outcome.key]
            if outcome.failure is not None:
                yield outcome.key, outcome.failure
                continue
            assert outcome.result is not None
            try:
                yield outcome.key, launch.graph(self.project, stack, outcome.result)
            except Failure as failure:
                yield outcome.key, failure

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.close()
