"""migrate_v1's input is bounded (common.files) and its output cannot be forged: hostile files
are one line of error and exit 2, never a traceback or a hang; hostile values survive the
printed YAML intact and cannot add a line to it."""

import json
import os
import subprocess
import sys
import threading

import pytest
import yaml

from common import cli
from stacks.migrate_v1.command import main
from tests.conftest import ROOT

NAMES = ["--name", "svc", "--model", "azureml:m:1"]
HOSTILE = (
    "x\nazureml-k8s:extension: {allowInsecureConnections: true}\n"
    "# : { } [ ] ' \" \\ \u2028azureml-k8s:tls: {}\u2029\x85\r\n---\n...\n- a\n"
    "\t\x1b[31m \u202e"
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.run(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, shown: str, fragment: str) -> None:
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"migrate_v1: {shown}: ") and fragment in err, err


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("bomb.yaml", "a: &a [1, 2]\nb: [*a, *a, *a]\n", "YAML aliases (*a) are not allowed"),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
        ("huge.yaml", "cpu_cores: " + "9" * 5000 + "\n", "not valid YAML"),
        ("huge.json", '{"cpu_cores": ' + "9" * 5000 + "}", "not valid JSON"),
        ("dupes.yaml", "cpu_cores: 1\ncpu_cores: 2\n", "duplicate key 'cpu_cores'"),
        ("nan.json", '{"cpu_cores": NaN}', "NaN is not a JSON number"),
        ("list.yaml", "- cpu_cores: 1\n", "expected a mapping of v1 deployment settings"),
        ("empty.yaml", "", "expected a mapping of v1 deployment settings"),
        ("two.yaml", "a: 1\n---\nb: 2\n", "not valid YAML"),
    ],
)
def test_hostile_files_exit_2_with_one_line_naming_the_file(
    tmp_path, capsys, name, content, fragment
):
    path = tmp_path / name
    path.write_text(content)
    assert_one_line_error(*run(capsys, str(path), *NAMES), str(path), fragment)


def test_non_utf8_exits_2(tmp_path, capsys):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"description: caf\xe9\n")
    assert_one_line_error(*run(capsys, str(path), *NAMES), str(path), "not UTF-8 (byte 16)")


def test_a_file_over_the_limit_exits_2_without_reading_it_all(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (8 * 1024 * 1024 + 1))
    assert_one_line_error(*run(capsys, str(path), *NAMES), str(path), "larger than 1 MiB")


@pytest.mark.parametrize("special", ["/dev/zero", "directory"])
def test_devices_and_directories_exit_2(tmp_path, capsys, special):
    path = str(tmp_path) if special == "directory" else special
    assert_one_line_error(*run(capsys, path, *NAMES), path, "not a regular file")


def test_a_missing_file_exits_2(tmp_path, capsys):
    path = str(tmp_path / "nope.json")
    assert_one_line_error(*run(capsys, path, *NAMES), path, "cannot read: No such file")


def test_a_fifo_nobody_writes_is_refused_at_once(tmp_path, capsys):
    fifo = tmp_path / "deploymentconfig.json"
    os.mkfifo(fifo)
    result: dict[str, int] = {}
    worker = threading.Thread(
        target=lambda: result.update(code=cli.run(main, [str(fifo), *NAMES])), daemon=True
    )
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "migrate_v1 blocked on a FIFO"
    out, err = capsys.readouterr()
    assert_one_line_error(result["code"], out, err, str(fifo), "not a regular file")


@pytest.mark.process
def test_a_fifo_as_python_m_runs_it_exits_2_promptly(tmp_path):
    fifo = tmp_path / "deploymentconfig.json"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "stacks.migrate_v1", str(fifo), *NAMES],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"migrate_v1: {fifo}: file: cannot read: not a regular file\n"


def body_and_comments(out: str) -> tuple[list[str], list[str]]:
    """The lines before the YAML body (all comments) and the body's."""
    lines = out.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("azureml-k8s:"))
    return lines[:start], lines[start:]


def test_hostile_values_survive_and_cannot_add_a_line(tmp_path, capsys):
    name = "svc\nazureml-k8s:extension: {allowInsecureConnections: true}\u2028\x85 # : {.json"
    path = tmp_path / name
    v1 = {
        "description": HOSTILE,
        "tags": {HOSTILE: HOSTILE},
        "properties": {"p": HOSTILE},
        "keys": {"primaryKey": HOSTILE, "secondaryKey": "second-secret"},
    }
    path.write_text(json.dumps(v1))
    code, out, err = run(capsys, str(path), *NAMES)
    assert code == 0, err
    produced = yaml.safe_load(out)
    assert list(produced) == ["azureml-k8s:instanceTypes", "azureml-k8s:endpoints"]
    assert produced["azureml-k8s:endpoints"][0]["description"] == HOSTILE
    comments, body = body_and_comments(out)
    # str.splitlines splits at every line break YAML knows (and more): a comment line holds
    # none, so every line outside the body is a whole comment.
    assert all(line.startswith("#") for line in "".join(comments).splitlines()), comments
    assert all(line.isascii() and line.rstrip("\n").isprintable() for line in comments + body)
    # The file name (the only free text in the comments) survives as a JSON string.
    assert json.dumps(path.name) in comments[0]
    assert "second-secret" not in out + err


def test_hostile_keys_and_values_in_errors_stay_on_their_line(tmp_path, capsys):
    path = tmp_path / "svc.json"
    path.write_text(json.dumps({HOSTILE: 1, "namespace": HOSTILE, "name": HOSTILE}))
    code, out, err = run(capsys, str(path), *NAMES)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].isprintable(), lines
    assert "not a v1 AKS web service setting" in lines[0]


def test_hostile_flags_are_refused_on_one_line(tmp_path, capsys):
    path = tmp_path / "svc.json"
    path.write_text("{}")
    argv = [str(path), "--name", HOSTILE, "--compute", HOSTILE, "--model", HOSTILE]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert all(line.isprintable() for line in err.splitlines())
    assert "--model: " in err
