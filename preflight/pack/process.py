"""A policy pack process, started as the pulumi CLI starts it, and its analyzer gRPC stub.

The pack runs as `python -m pulumi.policy <engine> .` in its directory with the PULUMI_*
environment (preflight/pack/host.py pipes the config in); its first stdout line is its port. The
process runs in its own process group, which is killed on close, timeout or signal.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import grpc

from preflight import processes
from preflight.sdk import analyzer_pb2_grpc

_MAX_MESSAGE = 512 * 1024 * 1024
_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
]


class PolicyPackError(Exception):
    """The pack could not start, crashed, or failed while analyzing."""


class PolicyPack:
    """A policy pack process and, once `connect`ed, its gRPC stub. It is started before the
    program runs, so its start-up (imports, policies) overlaps the program's."""

    def __init__(self, directory: Path, project: str, stack: str, config: dict[str, str]):
        self.directory = directory
        if not (directory / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{directory}: not a policy pack (no PulumiPolicy.yaml)")
        env = dict(
            os.environ,
            PULUMI_PROJECT=project,
            PULUMI_STACK=stack,
            PULUMI_DRY_RUN="true",
            PULUMI_ORGANIZATION="organization",
            PYTHONPATH=os.pathsep.join(
                filter(
                    None,
                    [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")],
                )
            ),
        )
        env.pop("PULUMI_CONFIG", None)
        try:
            self.process = processes.start(
                [sys.executable, "-u", "-m", "preflight.pack.host"], env=env, cwd=str(directory)
            )
        except OSError as err:
            raise PolicyPackError(f"{directory}: cannot start the policy pack: {err}") from None
        self.channel = None
        self._stderr = processes.Tail(self.process.stderr)
        payload = json.dumps(config).encode()

        def feed():
            with contextlib.suppress(OSError):  # it died at once; its stderr tells why
                self.process.stdin.write(payload)
                self.process.stdin.close()

        threading.Thread(target=feed, daemon=True).start()

    def connect(self, timeout: float) -> None:
        port = self._read_port(timeout)
        self._stdout = processes.Tail(self.process.stdout)  # keep draining what it prints
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _read_port(self, timeout: float) -> int:
        """The port from the pack's first stdout line. The pack itself is watched, not only its
        stdout: when it exits, a child that inherited the pipe cannot keep preflight waiting."""
        first: list[bytes] = []
        reader = threading.Thread(
            target=lambda: first.append(self.process.stdout.readline()), daemon=True
        )
        reader.start()
        deadline = time.monotonic() + timeout
        while reader.is_alive() and self.process.poll() is None and time.monotonic() < deadline:
            reader.join(0.05)
        if reader.is_alive() and self.process.poll() is not None:
            reader.join(0.5)  # a line it printed before it exited is still in the pipe
        text = first[0].decode(errors="replace").strip() if first else ""
        port = int(text) if text.isdigit() and 0 < int(text) < 65536 else None
        if port is not None and self.process.poll() is None:
            return port
        status = self.process.poll()
        self.close()
        if status is not None and (port is not None or not first or not text):
            why = f"it exited ({_status(status)}) before it could be used: {self.failure()}"
        elif not first:
            why = f"it printed no port within {timeout:g} s"
        elif not text:
            why = f"it closed its output without printing a port: {self.failure()}"
        else:
            why = f"it printed {text[:200]!r} where the engine reads its port"
        raise PolicyPackError(f"{self.directory}: the policy pack did not start: {why}")

    def failure(self) -> str:
        """The pack's own last words, without its traceback: 'file:line: Error: message'."""
        return summarize_traceback(self._stderr.text(), self.directory) or "nothing on its stderr"

    def call(self, method: str, request, timeout: float) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=timeout)
        except grpc.RpcError as err:
            status = self._exit_status()
            if status is not None:
                raise PolicyPackError(
                    f"{self.directory}: the policy pack exited ({_status(status)}) during "
                    f"{method}: {self.failure()}"
                ) from None
            code = err.code() if hasattr(err, "code") else None
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise PolicyPackError(
                    f"{self.directory}: {method} did not answer within {timeout:g} s"
                ) from None
            detail = err.details() if hasattr(err, "details") else str(err)
            raise PolicyPackError(
                f"{self.directory}: {method} failed: {_last_line(detail or '') or code}"
            ) from None

    def _exit_status(self, grace: float = 1.0) -> int | None:
        """The pack's exit status, waiting a moment: its connection closes before it can be
        reaped."""
        try:
            return self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        processes.kill_group(self.process)
        if self.channel is not None:
            self.channel.close()


def _status(status: int) -> str:
    return f"killed by signal {-status}" if status < 0 else f"status {status}"


def summarize_traceback(text: str, directory: Path) -> str:
    location = ""
    for match in re.finditer(r'File "([^"]+)", line (\d+)', text):
        path = Path(match.group(1))
        if path.is_relative_to(directory.resolve()) or path.is_relative_to(directory):
            location = f"{path.name}:{match.group(2)}: "
    return f"{location}{_last_line(text)}".strip()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Exit|Interrupt)\b.*", line) or ": " in line:
            return line
    return lines[-1] if lines else ""
