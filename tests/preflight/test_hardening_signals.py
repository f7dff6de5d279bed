"""Signals end preflight and the router cleanly: Ctrl-C is 130 without a traceback, SIGTERM,
SIGHUP and SIGQUIT 128 + N, and no runner, policy pack host or anything they started survives
(found by a marker in the environment every descendant inherits)."""

import signal
import subprocess
import sys

import pytest

from tests.common.processes import environment, marked, none_left, wait_for
from tests.conftest import ROOT
from tests.preflight.test_bounds import EMPTY_PACK, SPAWNS, program

pytestmark = pytest.mark.process

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT]


def _running(marker: str, *fragments: str) -> bool:
    commands = [command for _, command in marked(marker)]
    return all(any(f in c for c in commands) for f in fragments)


@pytest.mark.parametrize("signum", SIGNALS, ids=str)
def test_check_leaves_no_runner_pack_host_or_grandchild(tmp_path, signum):
    pidfile = tmp_path / "pid"
    prog = program(tmp_path, SPAWNS.format(pidfile=str(pidfile)) + "child.wait()\n")
    marker, env = environment()
    check = subprocess.Popen(
        [sys.executable, "-m", "preflight", "check", "--program", str(prog)]
        + ["--policy-pack", str(EMPTY_PACK)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(
        lambda: pidfile.exists() and _running(marker, "preflight.program.runner", "pack.host")
    )
    check.send_signal(signum)
    assert check.wait(timeout=60) == 128 + signum
    assert "Traceback" not in check.stderr.read()
    assert none_left(marker) == []


def test_ctrl_c_in_the_simulator_is_130_without_a_traceback():
    marker, env = environment()
    simulate = subprocess.Popen(
        [sys.executable, "-m", "router", "simulate", "--rps", "5000", "--duration-s", "36000"]
        + ["--request-time-ms", "100", "--max-instances", "1000"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Past the imports: numpy is loaded once the simulation runs.
    assert wait_for(lambda: "numpy" in _maps(simulate.pid), timeout=60)
    simulate.send_signal(signal.SIGINT)
    assert simulate.wait(timeout=60) == 130
    assert simulate.stderr.read() == "interrupted\n"
    assert none_left(marker) == []


def _maps(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/maps") as maps:
            return maps.read()
    except OSError:
        return ""
