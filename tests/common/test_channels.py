"""Every CLI of the project writes through common.cli's sink: stdout on a full disk (/dev/full) or
closed (`>&-`) ends with 74, a reader gone (a broken pipe) with 141, never 1 and never a
traceback; small and large outputs, help text, and what is flushed at exit alike."""

import json

import pytest

from tests.common.processes import PYTHON, environment, run_to

pytestmark = pytest.mark.process

PLAN = {"resources": [{"urn": "urn:pulumi:s::p::t:m:T::n", "type": "t:m:T", "inputs": {}}]}
V1_SERVICE = {
    "name": "fraud-score",
    "computeType": "AKS",
    "computeName": "k8s-team-a",
    "models": [{"name": "fraud-model", "version": 3, "id": "fraud-model:3"}],
    "containerResourceRequirements": {"cpu": 1, "memoryInGB": 2},
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("inputs")
    (directory / "plan.json").write_text(json.dumps(PLAN))
    (directory / "service.json").write_text(json.dumps(V1_SERVICE))
    return directory


def commands(inputs) -> dict[str, list[str]]:
    plan, service = str(inputs / "plan.json"), str(inputs / "service.json")
    return {
        "preflight diff": [PYTHON, "-m", "preflight", "diff", plan, plan, "--format", "json"],
        "router size": [
            *(PYTHON, "-m", "router", "size", "--rps", "200", "--request-time-ms", "100"),
            *("--wait-goal-ms", "50", "--no-check", "--format", "json"),
        ],
        "catalog facts": [PYTHON, "-m", "catalog", "facts", "--format", "json"],  # large
        "migrate_v1": [PYTHON, "-m", "stacks.migrate_v1", service],
        "settings schema help": [PYTHON, "-m", "stacks.settings.schema", "--help"],
        "plandiff stacks": [PYTHON, "scripts/plandiff.py", "stacks"],
        "policypack fingerprint": [PYTHON, "scripts/policypack.py", "fingerprint"],
        "preflight help": [PYTHON, "-m", "preflight", "check", "--help"],
        "router help": [PYTHON, "-m", "router", "simulate", "--help"],
    }


NAMES = [
    "preflight diff",
    "router size",
    "catalog facts",
    "migrate_v1",
    "settings schema help",
    "plandiff stacks",
    "policypack fingerprint",
    "preflight help",
    "router help",
]
EXPECTED = {
    "full": (74, "cannot write the output: No space left on device"),
    "closed": (74, "cannot write the output: standard output is closed"),
    "broken": (141, ""),
}


@pytest.mark.parametrize("channel", sorted(EXPECTED))
@pytest.mark.parametrize("name", NAMES)
def test_every_cli_ends_with_its_code_when_stdout_fails(inputs, name, channel):
    _marker, env = environment()
    code, stderr = run_to(channel, commands(inputs)[name], env)
    expected_code, message = EXPECTED[channel]
    assert code == expected_code, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    if message:
        assert stderr.strip().splitlines()[-1].endswith(message), stderr
    else:
        assert stderr == ""  # a reader that went away needs no message, as with Unix tools


@pytest.mark.parametrize("channel", sorted(EXPECTED))
def test_a_large_plan_to_a_failing_stdout(channel):
    """preview's JSON plan of the dev stack, hundreds of KiB: written in many chunks."""
    _marker, env = environment()
    argv = [PYTHON, "-m", "preflight", "preview", "--stack", "dev", "--format", "json"]
    code, stderr = run_to(channel, argv, env)
    assert code == EXPECTED[channel][0], stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


def test_check_json_to_a_full_disk_is_74_not_a_violation():
    _marker, env = environment()
    argv = [PYTHON, "-m", "preflight", "check", "--stack", "dev", "--format", "json"]
    code, stderr = run_to("full", argv, env)
    assert code == 74 and "Traceback" not in stderr, stderr


QUIET = "from common import cli\ncli.exit_with(lambda argv: 0)\n"


def test_a_command_that_prints_nothing_succeeds_with_stdout_closed():
    """Nothing written, nothing to fail: as a Unix tool that has nothing to say."""
    _marker, env = environment()
    code, stderr = run_to("closed", [PYTHON, "-c", QUIET], env)
    assert (code, stderr) == (0, "")


def test_policypack_build_into_a_place_it_cannot_write_is_74():
    _marker, env = environment()
    code, stderr = run_to("full", [PYTHON, "scripts/policypack.py", "build", "/proc/no-such"], env)
    assert code == 74 and "policypack: cannot write /proc/no-such" in stderr
    assert "Traceback" not in stderr
