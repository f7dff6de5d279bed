"""Helpers for process tests: run a CLI with its stdout on a full disk, closed or a broken pipe,
and find every process a run left behind by a marker in its environment (inherited by every
descendant, whatever process group or session it moved to)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.conftest import ROOT

PYTHON = sys.executable


def environment(**extra: str) -> tuple[str, dict[str, str]]:
    """A marker and an environment carrying it, for the project's CLIs."""
    marker = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG_PASSPHRASE")}
    env.update(PYTHONPATH=str(ROOT), PREFLIGHT_TEST_MARKER=marker, **extra)
    return marker, env


def marked(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment holds the marker."""
    needle = f"PREFLIGHT_TEST_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(") ", 1)[1][0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state != "Z":
            found.append((int(entry.name), command))
    return found


def none_left(marker: str, wait: float = 10.0) -> list[tuple[int, str]]:
    """The marked processes still alive after `wait` seconds (SIGKILL takes a moment)."""
    deadline = time.monotonic() + wait
    while (left := marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def wait_for(condition, timeout: float = 120.0, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def run_to(channel: str, argv: list[str], env: dict[str, str], cwd: Path = ROOT):
    """Run argv with stdout on `channel`: "full" (/dev/full), "closed" (>&-) or "broken" (a pipe
    whose reader is gone before anything is written). Returns (exit code, stderr)."""
    if channel == "closed":
        argv = ["sh", "-c", 'exec "$0" "$@" >&-', *argv]
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        return proc.returncode, proc.stderr
    if channel == "full":
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                argv, cwd=cwd, env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300
            )
        return proc.returncode, proc.stderr
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            argv, cwd=cwd, env=env, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300
        )
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr


def interrupt(process: subprocess.Popen, signum: int = signal.SIGINT, timeout: float = 60) -> int:
    process.send_signal(signum)
    return process.wait(timeout=timeout)
