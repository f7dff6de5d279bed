"""The policy pack process is watched, not only its stdout: a pack that exits before printing its
port (or dies later) fails `check` at once with exit 4 and its last words, whatever its children
do with the pipes, and nothing it started survives."""

import json
import subprocess
import sys

import pytest

from tests.common.processes import environment, none_left
from tests.conftest import ROOT
from tests.preflight.test_bounds import program

pytestmark = pytest.mark.process

# A child that inherits the pack's stdout and stderr and keeps them open for ten minutes.
HOLDER = 'import subprocess, sys\nsubprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])\n'


def _pack(tmp_path, code: str):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(code)
    return pack


def _check(tmp_path, pack, *args: str):
    prog = program(tmp_path, "import pulumi\npulumi.CustomResource('t:m:T', 'r', {})\n")
    marker, env = environment()
    result = subprocess.run(
        [sys.executable, "-m", "preflight", "check", "--program", str(prog)]
        + ["--policy-pack", str(pack), "--format", "json", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,  # below the 300 s port timeout: waiting for it fails here
    )
    return result, marker


def test_a_pack_that_exits_before_its_port_fails_at_once_whatever_its_child_holds(tmp_path):
    pack = _pack(
        tmp_path,
        HOLDER + "sys.stderr.write('Traceback (most recent call last):\\n"
        "ValueError: the pack gives up\\n')\nsys.exit(3)\n",
    )
    result, marker = _check(tmp_path, pack)
    assert result.returncode == 4, result.stderr
    assert (
        "the policy pack did not start: it exited (status 3) before it could be used: "
        "ValueError: the pack gives up" in result.stderr
    )
    assert json.loads(result.stdout)["exitCode"] == 4
    assert "Traceback" not in result.stderr
    assert none_left(marker) == []


def test_a_pack_killed_before_its_port(tmp_path):
    pack = _pack(tmp_path, HOLDER + "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    result, marker = _check(tmp_path, pack)
    assert result.returncode == 4
    assert "it exited (killed by signal 9) before it could be used" in result.stderr
    assert none_left(marker) == []


def test_a_pack_that_dies_while_analyzing(tmp_path):
    pack = _pack(
        tmp_path,
        HOLDER
        + "from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy\n"
        "def validate(args, report):\n"
        "    sys.stderr.write('RuntimeError: out of luck\\n'); sys.stderr.flush(); os._exit(7)\n"
        "import os\n"
        "PolicyPack(name='dies', enforcement_level=EnforcementLevel.MANDATORY, policies=[\n"
        "    ResourceValidationPolicy(name='dies', description='dies', validate=validate)])\n",
    )
    result, marker = _check(tmp_path, pack)
    assert result.returncode == 4, result.stderr
    assert "the policy pack exited (status 7) during Analyze: RuntimeError: out of luck" in (
        result.stderr
    )
    assert none_left(marker) == []
