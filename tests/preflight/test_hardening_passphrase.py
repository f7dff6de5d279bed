"""The passphrase as the pulumi CLI finds it (pkg/secrets/passphrase, readPassphrase):
PULUMI_CONFIG_PASSPHRASE when set (it wins), else the trimmed content of the file
PULUMI_CONFIG_PASSPHRASE_FILE names. A missing, unreadable or non-UTF-8 file, or a non-UTF-8
passphrase, is exit 2 naming it; without either, preflight says once that secure values are
placeholders. The passphrase itself is never printed."""

import json
import os
import subprocess
import sys

import pytest

from preflight.program import passphrase
from tests.conftest import ROOT, run_preflight
from tests.preflight.test_programs import PHRASE, SECRET, _secret_program, encrypted  # noqa: F401

pytestmark = pytest.mark.process

UNSET = {"PULUMI_CONFIG_PASSPHRASE": None, "PULUMI_CONFIG_PASSPHRASE_FILE": None}
# The stack file reader (preflight/program/stackfile.py, another engineer's) must ask
# passphrase.from_environment() for the passphrase; until it does, only the variable is read.
READS_THE_FILE = "from_environment" in (ROOT / "preflight/program/stackfile.py").read_text()
needs_the_reader = pytest.mark.xfail(
    not READS_THE_FILE,
    reason="stackfile._revealer still reads PULUMI_CONFIG_PASSPHRASE only",
    strict=True,
)


def _preview(prog, **env):
    result = run_preflight(
        "preview", "--program", str(prog), "--format", "json", env={**UNSET, **env}
    )
    assert "Traceback" not in result.stderr and PHRASE not in result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr
    return result


def _decrypted(result) -> bool:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["outputs"]["decrypted"]


@needs_the_reader
@pytest.mark.parametrize("content", [PHRASE, PHRASE + "\n", f"  {PHRASE} \r\n"])
def test_the_file_alone_decrypts(tmp_path, encrypted, content):  # noqa: F811
    prog, _pack = _secret_program(tmp_path, encrypted)
    phrase_file = tmp_path / "phrase"
    phrase_file.write_text(content)
    result = _preview(prog, PULUMI_CONFIG_PASSPHRASE_FILE=str(phrase_file))
    assert _decrypted(result) and "not decrypted" not in result.stderr


def test_the_variable_wins_over_the_file(tmp_path, encrypted):  # noqa: F811
    prog, _pack = _secret_program(tmp_path, encrypted)
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase")
    assert _decrypted(
        _preview(prog, PULUMI_CONFIG_PASSPHRASE=PHRASE, PULUMI_CONFIG_PASSPHRASE_FILE=str(wrong))
    )
    right = tmp_path / "right"
    right.write_text(PHRASE)
    result = _preview(
        prog, PULUMI_CONFIG_PASSPHRASE="wrong", PULUMI_CONFIG_PASSPHRASE_FILE=str(right)
    )
    assert result.returncode == 2 and "incorrect passphrase" in result.stderr


@needs_the_reader
@pytest.mark.parametrize(
    "make,fragment",
    [
        (lambda d: d / "missing", "cannot read: No such file or directory"),
        (lambda d: d, "cannot read: not a regular file"),
        (lambda d: _fifo(d / "fifo"), "cannot read: not a regular file"),
        (lambda d: _write(d / "latin1", b"caf\xe9"), "the passphrase is not UTF-8 (byte 3)"),
        (lambda d: _write(d / "big", b"x" * (passphrase.MAX_FILE_BYTES + 1)), "larger than"),
    ],
)
def test_a_passphrase_file_that_cannot_be_used_is_invalid_input(
    tmp_path,
    encrypted,  # noqa: F811
    make,
    fragment,
):
    prog, _pack = _secret_program(tmp_path, encrypted)
    path = make(tmp_path)
    result = _preview(prog, PULUMI_CONFIG_PASSPHRASE_FILE=str(path))
    assert result.returncode == 2
    assert f"{path} (PULUMI_CONFIG_PASSPHRASE_FILE): file: " in result.stderr
    assert fragment in result.stderr


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _fifo(path):
    os.mkfifo(path)
    return path


def test_a_non_utf8_passphrase_is_invalid_input(tmp_path, encrypted):  # noqa: F811
    prog, _pack = _secret_program(tmp_path, encrypted)
    env = {k: v for k, v in os.environb.items() if not k.startswith(b"PULUMI_CONFIG_PASSPHRASE")}
    env.update({b"PYTHONPATH": str(ROOT).encode(), b"PULUMI_CONFIG_PASSPHRASE": b"caf\xe9"})
    result = subprocess.run(
        [sys.executable, "-m", "preflight", "preview", "--program", str(prog)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert b"the passphrase is not UTF-8 text; give it as UTF-8" in result.stderr
    assert b"Traceback" not in result.stderr


def test_without_a_passphrase_it_says_so_once(tmp_path, encrypted):  # noqa: F811
    prog, _pack = _secret_program(tmp_path, encrypted)
    result = _preview(prog, PULUMI_CONFIG_PASSPHRASE_FILE="")  # empty: ignored, as pulumi does
    assert not _decrypted(result)
    notes = [line for line in result.stderr.splitlines() if "not decrypted" in line]
    assert notes == [
        "preflight: Pulumi.dev.yaml: secure values are not decrypted (set "
        "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to decrypt and check them); "
        "they preview as placeholders"
    ]


def test_a_stack_without_secrets_never_reads_the_file(tmp_path):
    """As pulumi: the passphrase is looked for only when the stack has an encryption salt."""
    (tmp_path / "Pulumi.yaml").write_text("name: plain\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\npulumi.export('x', 1)\n")
    result = _preview(tmp_path, PULUMI_CONFIG_PASSPHRASE_FILE=str(tmp_path / "missing"))
    assert result.returncode == 0 and result.stderr == ""
