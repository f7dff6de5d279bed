"""The fleet's program runner: one warm process that runs the program once per site, each run in
a child forked from it, so every site starts from the same clean state.

The Pulumi SDK keeps its runtime state in globals, so a site cannot run after another in one
interpreter; a new interpreter per site spends most of a second importing the SDK, the providers'
modules and the program's. This server imports them once and forks a child per site, which runs
preflight.program.runner's `run` exactly as `preflight check` runs it. The server never runs the
program itself: its first child runs alone and reports what it imported, the server imports the
same, and the next children start warm (each still reports what it imported anew).

Started by preflight/fleet/runners.py as `python -m preflight.fleet.server FD`. stdin: JSON lines,
first {"jobs": N, "timeout": S, "programDir": ..., "main": ...}, then {"id": n, "job": {...}}
(the runner's job). FD: per site a header line {"id", "status", "bytes", "error", "stderr"} and
`bytes` bytes of the runner's JSON result. Children stay in the server's process group, which
preflight ends when it is done, so nothing a program starts outlives preflight.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from preflight.program import runner

MAX_LOG_BYTES = 16 * 1024


@dataclass
class Child:
    id: int
    pid: int
    result_fd: int
    log_fd: int
    deadline: float
    result: bytearray = field(default_factory=bytearray)
    log: bytearray = field(default_factory=bytearray)
    result_done: bool = False
    timed_out: bool = False


def _program_path(settings: dict) -> None:
    """The program's directory on sys.path and as the working directory, as runner.run sets
    them, so what the server imports is what the program imports."""
    program, main = Path(settings["programDir"]), Path(settings["main"])
    os.chdir(program)
    sys.path[:0] = (
        [str(main.parent)] if main.parent == program else [str(main.parent), str(program)]
    )


def _warm(names: list[str], failed: set[str]) -> None:
    """Import what a child imported, so later children find it imported; a module that fails to
    import here is left to the children (they report its error as the program's). Parents come
    before their submodules (sorted names), and a lazily loaded module (the providers' SDKs
    register theirs so) is loaded by reading an attribute, before its submodules are imported."""
    for name in sorted(names):
        if name in failed or name.startswith("__"):
            continue
        try:
            module = sys.modules.get(name) or importlib.import_module(name)
            getattr(module, "__all__", None)
        except BaseException:  # noqa: BLE001 - whatever an import raises, the child's run says
            failed.add(name)


def _preload(settings: dict) -> None:
    """The fleet inventory, loaded (and cached) once here rather than by every site's run; one
    that cannot be loaded is left to the runs, which report it as the program does."""
    if not settings.get("inventory"):
        return
    with contextlib.suppress(Exception):
        from stacks.settings import inventory, sites

        inventory.cached(sites.inventory_path(Path.cwd()), settings["inventory"])


def _loaded(module: object) -> bool:
    """A module the run executed: the providers' SDKs register every service as a lazy module
    (importlib.util.LazyLoader) and a run loads a few; warming the others would load them all
    (type() tells without loading it, an attribute would load it)."""
    return module is not None and type(module).__name__ != "_LazyModule"


def _child_main(job: dict, result_w: int, log_w: int) -> None:
    """In the forked child: run the program, write its result, leave at once."""
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(log_w, 1)
        os.dup2(log_w, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        before = set(sys.modules)
        result = runner.run(job)
        new = sorted(n for n in set(sys.modules) - before if _loaded(sys.modules.get(n)))
        data = json.dumps(new).encode() + b"\n" + json.dumps(result).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(result_w, view) :]
        sys.stdout.flush()
    finally:
        os._exit(0)  # Pulumi's runtime leaves threads behind; the result is written


class Server:
    def __init__(self, result_fd: int, settings: dict):
        self.result_fd = result_fd
        self.limit = max(1, int(settings["jobs"]))
        self.timeout = float(settings["timeout"])
        self.pending: list[tuple[int, dict]] = []
        self.children: dict[int, Child] = {}  # by pid
        self.failed_imports: set[str] = set()
        self.warmed = False
        self.input_open = True
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(0, selectors.EVENT_READ, None)

    def run(self) -> None:
        while self.input_open or self.pending or self.children:
            self._start_children()
            timeout = None
            if self.children:
                timeout = max(0.0, min(c.deadline for c in self.children.values()) - time.time())
            for key, _ in self.selector.select(timeout):
                if key.data is None:
                    self._read_input()
                elif self.children.get(key.data[0].pid) is key.data[0]:
                    # (a child finished earlier in this batch has closed the pipes it is for)
                    self._read_child(*key.data)
            self._expire()

    def _start_children(self) -> None:
        # The first child runs alone: what it imports warms the server for all the others.
        limit = self.limit if self.warmed else 1
        while self.pending and len(self.children) < limit:
            self._fork(*self.pending.pop(0))

    def _fork(self, job_id: int, job: dict) -> None:
        # Everything the server holds goes to the collector's permanent generation: a child's
        # collections then never walk (nor copy, page by page) the imported modules' objects.
        gc.freeze()
        result_r, result_w = os.pipe()
        log_r, log_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(result_r)
            os.close(log_r)
            os.close(self.result_fd)
            for child in self.children.values():
                os.close(child.result_fd)
                os.close(child.log_fd)
            _child_main(job, result_w, log_w)
        os.close(result_w)
        os.close(log_w)
        child = Child(job_id, pid, result_r, log_r, time.time() + self.timeout)
        self.children[pid] = child
        self.selector.register(result_r, selectors.EVENT_READ, (child, "result"))
        self.selector.register(log_r, selectors.EVENT_READ, (child, "log"))

    def _read_input(self) -> None:
        chunk = os.read(0, 1 << 20)
        if not chunk:
            self.input_open = False
            self.selector.unregister(0)
            return
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            if line.strip():
                message = json.loads(line)
                self.pending.append((message["id"], message["job"]))

    def _read_child(self, child: Child, stream: str) -> None:
        fd = child.result_fd if stream == "result" else child.log_fd
        chunk = os.read(fd, 1 << 20)
        if stream == "log":
            child.log += chunk
            del child.log[:-MAX_LOG_BYTES]
            if not chunk:
                self.selector.unregister(fd)
            return
        if chunk:
            child.result += chunk
            return
        self._finish(child)

    def _expire(self) -> None:
        now = time.time()
        for child in list(self.children.values()):
            if child.deadline <= now:
                child.timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signal.SIGKILL)
                self._finish(child)

    def _finish(self, child: Child) -> None:
        """The child is done (its result pipe closed) or stopped: reap it, send its result."""
        _, status = os.waitpid(child.pid, 0)
        for fd in (child.result_fd, child.log_fd):
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(fd)
            os.close(fd)
        del self.children[child.pid]
        body = b""
        error = ""
        if child.timed_out:
            error = f"did not finish within {self.timeout:g} s (stopped)"
        elif b"\n" in child.result:
            modules, body = bytes(child.result).split(b"\n", 1)
            with contextlib.suppress(ValueError):
                _warm(json.loads(modules), self.failed_imports)
        self.warmed = True
        tail = bytes(child.log).decode(errors="replace").strip().splitlines()
        header = {
            "id": child.id,
            "status": os.waitstatus_to_exitcode(status),
            "bytes": len(body),
            "error": error,
            "stderr": tail[-1] if tail else "",
        }
        self._send(json.dumps(header).encode() + b"\n" + body)

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.result_fd, view) :]


def main() -> None:
    result_fd = int(sys.argv[1])
    os.set_inheritable(result_fd, False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # preflight ends the group when it must
    first = b""
    while not first.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk:
            return
        first += chunk
    settings = json.loads(first)
    _program_path(settings)
    _preload(settings)
    with contextlib.suppress(BrokenPipeError):  # preflight went away: nobody is left to tell
        Server(result_fd, settings).run()
    os._exit(0)


if __name__ == "__main__":
    main()
