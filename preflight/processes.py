"""Child processes that cannot hang preflight or outlive it.

Every child (the program runner, the policy pack) starts in its own process group; whatever it
spawns stays in that group, so ending the group ends them all: on timeout, on exit and on signals (common.cli runs
`kill_all` however the command ends).
Data goes through pipes, never temporary files: nothing lands on disk for another user to read,
and nothing is left behind when preflight is killed. Output kept from a child is bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading

# Result documents (plans) can be large: 1,000 resources with manifests run to tens of MB.
MAX_RESULT_BYTES = 512 * 1024 * 1024
# Only the end of a child's stdout/stderr is kept: it is for one-line error messages.
MAX_LOG_BYTES = 64 * 1024

_live: set[subprocess.Popen] = set()
# Re-entrant: common.cli's signal handler runs kill_all in the main thread, which may hold it.
_lock = threading.RLock()


class ChildError(Exception):
    """A child could not run to the end (timeout, output too large)."""


def kill_group(process: subprocess.Popen) -> None:
    """End the child's whole process group (it is its own group leader), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with _lock:
        _live.discard(process)


def kill_all() -> None:
    with _lock:
        children = list(_live)
    for process in children:
        kill_group(process)


def start(argv: list[str], *, env: dict[str, str], cwd: str | None = None, pass_fds=()):
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        pass_fds=pass_fds,
    )
    with _lock:
        _live.add(process)
    return process


class Tail:
    """Reads a stream to its end in a thread, keeping only its last MAX_LOG_BYTES."""

    def __init__(self, stream):
        self.data = bytearray()
        self._stream = stream
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in iter(self._stream.readline, b""):
                self.data += line
                if len(self.data) > MAX_LOG_BYTES:
                    del self.data[: len(self.data) - MAX_LOG_BYTES]

    def text(self, wait: float = 2.0) -> str:
        self._thread.join(wait)
        return bytes(self.data).decode(errors="replace")


def _read_all(fd: int, sink: list[bytes], overflow: list[bool]) -> None:
    """Keep up to MAX_RESULT_BYTES; past that, drain and drop, so the writer is never stuck."""
    size = 0
    with contextlib.suppress(OSError):
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > MAX_RESULT_BYTES:
                if not overflow:
                    overflow.append(True)
                    sink.clear()
                continue
            sink.append(chunk)
    os.close(fd)


def run_with_result(
    argv: list[str], stdin: bytes, *, env: dict[str, str], timeout: float
) -> tuple[bytes | None, int, str]:
    """Run a child that writes its result to the file descriptor named by its last argument.

    Returns (result bytes or None, exit status, stderr tail). The result travels through a pipe
    of its own, so whatever the child prints cannot corrupt it. The child's group is ended when
    it exits, so a grandchild holding a pipe open cannot hang preflight.
    """
    read_end, write_end = os.pipe()
    try:
        process = start([*argv, str(write_end)], env=env, pass_fds=(write_end,))
    except OSError:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    chunks: list[bytes] = []
    overflow: list[bool] = []
    reader = threading.Thread(target=_read_all, args=(read_end, chunks, overflow), daemon=True)
    reader.start()
    stdout, stderr = Tail(process.stdout), Tail(process.stderr)

    def feed():
        with contextlib.suppress(OSError, ValueError):
            process.stdin.write(stdin)
            process.stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    try:
        status = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        raise ChildError(f"did not finish within {timeout:g} s (stopped)") from None
    kill_group(process)  # the runner is done: nothing it started may live on
    reader.join(timeout=30)
    stdout.text(0.5)  # what the program printed is not shown; this only lets the reader finish
    if overflow:
        raise ChildError(f"its result is over {MAX_RESULT_BYTES // (1024 * 1024)} MiB")
    return (b"".join(chunks) if chunks else None), status, stderr.text(0.5)
