"""Careless and hostile input: every case gives its contract exit code and one clear message,
never a traceback, a hang, a leftover process or a leftover file.

Exit codes (docs/preflight.md): 2 invalid settings or input, 3 the program failed,
4 the policy pack failed, 64 a bad command line.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import ROOT, run_preflight

pytestmark = pytest.mark.process

EMPTY_PACK = ROOT / "tests" / "preflight" / "engine" / "packs" / "resource"


def program(tmp_path, code: str, stack: str | None = "config: {}\n", project: str = ""):
    """A Pulumi program in tmp_path/prog; its dev stack file unless stack is None."""
    directory = tmp_path / "prog"
    directory.mkdir(exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: prog\nruntime: python\n{project}")
    (directory / "__main__.py").write_text(textwrap.dedent(code))
    if stack is not None:
        (directory / "Pulumi.dev.yaml").write_text(stack)
    return directory


def no_traceback(result):
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


def alive(pid: int) -> bool:
    """Whether the process still runs 5 s on (SIGKILL is sent at once, death takes a moment)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                state = stat.read().split(") ", 1)[1][0]
        except FileNotFoundError:
            return False
        if state == "Z":  # dead, waiting for a reaper
            return False
        time.sleep(0.05)
    return True


def write(tmp_path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


ALIAS_BOMB = "config:\n  a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"  {chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)}]\n"
    for i in range(8)
)


@pytest.mark.parametrize(
    "name,data,fragment",
    [
        ("non-utf8", b"config:\n  azureml-k8s:name: caf\xe9\n", "not UTF-8 (byte 31)"),
        ("alias-bomb", ALIAS_BOMB, "YAML aliases (*a) are not allowed"),
        ("duplicate-key", "config:\n  a: 1\n  a: 2\n", "duplicate key 'a'"),
        ("deep", "config:\n  a: " + "[" * 200 + "]" * 200 + "\n", "nested deeper than 64"),
        ("not-a-mapping", "- a\n- b\n", "a stack file is a mapping"),
    ],
)
def test_bad_stack_files(tmp_path, name, data, fragment):
    assert len(ALIAS_BOMB) < 700  # the size of the bomb the issue measured (689 bytes)
    result = run_preflight("check", "--config", write(tmp_path, f"Pulumi.{name}.yaml", data))
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr
    no_traceback(result)


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["--config", "/dev/zero"], "not a regular file"),
        (["--stack", "dev", "--policy-config", "/dev/zero"], "not a regular file"),
    ],
)
def test_device_files_are_refused_without_reading(args, fragment):
    result = run_preflight("check", *args)
    assert result.returncode == 2 and fragment in result.stderr
    no_traceback(result)


@pytest.mark.parametrize(
    "text,fragment",
    [
        ('{"all": {"enforcementLevel": null}}', "enforcementLevel null is not a valid"),
        ('["mandatory"]', "must be a JSON object"),
        ('{"all": ["mandatory"]}', "must be a string or object"),
        ('{"all": "sometimes"}', '"sometimes" is not a valid enforcement level'),
        ('{"a": ' * 100 + "1" + "}" * 100, "nested deeper than 64"),
        ("[" * 100000 + "]" * 100000, "nested"),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_policy_config(tmp_path, text, fragment):
    path = write(tmp_path, "policy.json", text)
    result = run_preflight("check", "--stack", "dev", "--policy-config", path, "--format", "json")
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr
    assert json.loads(result.stdout)["errors"]  # JSON on stdout whatever the failure
    no_traceback(result)


GOOD_RESOURCE = {"urn": "urn:pulumi:s::p::t:m:T::n", "type": "t:m:T", "inputs": {}}


@pytest.mark.parametrize(
    "data,fragment",
    [
        (b"{", "not a readable JSON plan"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[]", "no resources list"),
        (b'{"resources": {}}', "no resources list"),
        (b'{"resources": [1]}', "resources[0] is not an object"),
        (b'{"resources": [{"type": "t"}]}', "resources[0].urn is not a string"),
        (b'{"resources": [{"urn": 5, "type": "t"}]}', "resources[0].urn is not a string"),
        (b'{"resources": [{"urn": "x", "type": "t"}]}', "resources[0].urn is not a URN"),
        (
            json.dumps({"resources": [{**GOOD_RESOURCE, "inputs": []}]}).encode(),
            "resources[0].inputs is not an object",
        ),
        (json.dumps({"resources": [GOOD_RESOURCE, GOOD_RESOURCE]}).encode(), "duplicate URN"),
        (b'{"resources": ' + b"[" * 100000 + b"]" * 100000 + b"}", "not a readable JSON plan"),
        (
            json.dumps(
                {
                    "resources": [
                        {**GOOD_RESOURCE, "inputs": {"a": json.loads("[" * 500 + "]" * 500)}}
                    ]
                }
            ).encode(),
            "nested deeper than 200",
        ),
    ],
)
def test_malformed_diff_inputs(tmp_path, data, fragment):
    good = write(tmp_path, "good.json", json.dumps({"resources": [GOOD_RESOURCE]}))
    bad = write(tmp_path, "bad.json", data)
    for args in ((good, bad), (bad, good)):
        result = run_preflight("diff", *args)
        assert result.returncode == 2, result.stderr
        assert fragment in result.stderr
        no_traceback(result)


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["check", "--stack", ""], "is not a stack name"),
        (["check", "--stack", "dev\n"], "is not a stack name"),
        (["check", "--stack", "dev", "--timeout", "0"], "is not a number of seconds"),
        (["check", "--stack", "dev", "--tag", "novalue"], "is not KEY=VALUE"),
    ],
)
def test_bad_command_lines(args, fragment):
    result = run_preflight(*args)
    assert result.returncode == 64 and fragment in result.stderr
    no_traceback(result)


def test_program_without_a_stack_file_previews_with_empty_config(tmp_path):
    prog = program(
        tmp_path,
        """
        import pulumi
        pulumi.export("answer", pulumi.Config().get("answer") or "empty config")
        """,
        stack=None,
    )
    result = run_preflight("preview", "--program", str(prog), "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["outputs"] == {"answer": "empty config"} and plan["config"] == ""


def test_main_naming_a_directory_runs_that_directorys_program(tmp_path):
    prog = program(
        tmp_path, "raise SystemExit('the root __main__.py must not run')\n", project="main: app/\n"
    )
    (prog / "app").mkdir()
    (prog / "app" / "__main__.py").write_text("import pulumi\npulumi.export('from', 'app')\n")
    result = run_preflight("preview", "--program", str(prog), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outputs"] == {"from": "app"}


@pytest.mark.parametrize(
    "main,fragment",
    [("../elsewhere", "outside the program directory"), ("nope.py", "nope.py does not exist")],
)
def test_main_outside_or_missing(tmp_path, main, fragment):
    prog = program(tmp_path, "", project=f"main: {main}\n")
    result = run_preflight("preview", "--program", str(prog))
    assert result.returncode == 2 and fragment in result.stderr
    no_traceback(result)


def test_duplicate_urns_fail_the_program(tmp_path):
    prog = program(
        tmp_path,
        """
        import pulumi
        pulumi.CustomResource("t:m:T", "same", {})
        pulumi.CustomResource("t:m:T", "same", {})
        """,
    )
    result = run_preflight("check", "--program", str(prog), "--format", "json")
    assert result.returncode == 3
    assert "Duplicate resource URN 'urn:pulumi:dev::prog::t:m:T::same'" in result.stderr
    assert json.loads(result.stdout)["errors"][0]["message"].startswith("the program failed")
    no_traceback(result)


def test_check_json_on_a_pack_failure(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(
        "print('hello from the pack')\nimport time\ntime.sleep(300)\n"
    )
    prog = program(tmp_path, "")
    started = time.monotonic()
    result = run_preflight(
        "check", "--program", str(prog), "--policy-pack", str(pack), "--format", "json"
    )
    assert result.returncode == 4
    assert "printed 'hello from the pack' where the engine reads its port" in result.stderr
    assert json.loads(result.stdout)["exitCode"] == 4
    assert time.monotonic() - started < 60  # it was not waited for
    no_traceback(result)


SPAWNS = """
import pathlib, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
pathlib.Path({pidfile!r}).write_text(str(child.pid))
"""


def test_a_grandchild_holding_the_pipes_neither_hangs_nor_survives(tmp_path):
    pidfile = tmp_path / "pid"
    prog = program(tmp_path, SPAWNS.format(pidfile=str(pidfile)))
    result = run_preflight("preview", "--program", str(prog))
    assert result.returncode == 0, result.stderr
    assert not alive(int(pidfile.read_text()))


def test_a_pack_grandchild_does_not_survive(tmp_path):
    pidfile = tmp_path / "pid"
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(
        SPAWNS.format(pidfile=str(pidfile)) + (EMPTY_PACK / "__main__.py").read_text()
    )
    prog = program(tmp_path, "")
    result = run_preflight("check", "--program", str(prog), "--policy-pack", str(pack))
    assert result.returncode == 0, result.stderr
    assert not alive(int(pidfile.read_text()))


def test_a_hanging_program_is_stopped_at_the_timeout(tmp_path):
    pidfile = tmp_path / "pid"
    prog = program(tmp_path, SPAWNS.format(pidfile=str(pidfile)) + "child.wait()\n")
    result = run_preflight("check", "--program", str(prog), "--timeout", "3", "--format", "json")
    assert result.returncode == 3
    assert "the program did not finish within 3 s (stopped)" in result.stderr
    assert json.loads(result.stdout)["exitCode"] == 3
    assert not alive(int(pidfile.read_text()))
    no_traceback(result)


def test_sigterm_ends_every_child_and_leaves_no_file(tmp_path):
    pidfile = tmp_path / "pid"
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    prog = program(tmp_path, SPAWNS.format(pidfile=str(pidfile)) + "child.wait()\n")
    cli = subprocess.Popen(
        [sys.executable, "-m", "preflight", "preview", "--program", str(prog)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(scratch)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    cli.send_signal(signal.SIGTERM)
    assert cli.wait(timeout=30) == 128 + signal.SIGTERM
    assert not alive(int(pidfile.read_text()))
    assert list(scratch.iterdir()) == []


def test_a_pem_path_of_dev_zero_is_refused_unread(tmp_path):
    """The settings read the PEM files (bounded there); preflight reports it as invalid input."""
    stack = (ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
    assert "    allowInsecureConnections: true\n" in stack
    stack = stack.replace(
        "    allowInsecureConnections: true\n",
        "    sslCname: scoring.contoso.com\n"
        "    sslCertPemFile: /dev/zero\n"
        "    sslKeyPemFile: /dev/zero\n",
    )
    path = write(tmp_path, "Pulumi.zero.yaml", stack)
    result = run_preflight("check", "--config", path, "--timeout", "60", "--format", "json")
    assert result.returncode == 2
    errors = json.loads(result.stdout)["errors"]
    assert [e["path"].split(": ", 1)[0] for e in errors] == [path, path]
    assert all("not a regular file" in e["message"] for e in errors)
    no_traceback(result)


def test_a_pack_that_hangs_in_analyze_is_stopped(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(
        "import time\n"
        "from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy\n"
        "PolicyPack(name='slow', enforcement_level=EnforcementLevel.MANDATORY, policies=[\n"
        "    ResourceValidationPolicy(name='slow', description='hangs',\n"
        "                             validate=lambda args, report: time.sleep(300))])\n"
    )
    prog = program(tmp_path, "import pulumi\npulumi.CustomResource('t:m:T', 'r', {})\n")
    result = run_preflight(
        "check", "--program", str(prog), "--policy-pack", str(pack), "--timeout", "3"
    )
    assert result.returncode == 4
    assert "Analyze did not answer within 3 s" in result.stderr
    no_traceback(result)
