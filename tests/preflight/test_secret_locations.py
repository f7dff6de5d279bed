"""A secure stack value that is invalid is never echoed, in any command or format: our program's
settings name the key and say why, exit 2."""

from __future__ import annotations

import base64

import pytest
import yaml

from preflight.program import passphrase
from tests.conftest import ROOT, run_preflight

pytestmark = pytest.mark.process

PHRASE = "correct horse battery staple"
SECRET = "northeuorpe"


def _stack(tmp_path) -> str:
    salt = b"0123456789abcdef"
    key = passphrase.derive_key(PHRASE, salt)
    config = yaml.safe_load((ROOT / "tests/fixtures/Pulumi.difftest.yaml").read_text())["config"]
    config["azure-native:location"] = {"secure": passphrase.encrypt(key, SECRET, b"l" * 12)}
    document = {
        "encryptionsalt": f"v1:{base64.b64encode(salt).decode()}:"
        f"{passphrase.encrypt(key, 'pulumi', b'n' * 12)}",
        "config": config,
    }
    path = tmp_path / "Pulumi.secretloc.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


@pytest.mark.parametrize(
    "args",
    [
        ("preview", "--format", "json"),
        ("preview", "--format", "markdown"),
        ("check", "--format", "json"),
        ("check",),
        ("hosts", "--format", "csv"),
    ],
)
def test_an_invalid_secret_region_is_named_never_shown(tmp_path, args):
    result = run_preflight(
        *args[:1], "--config", _stack(tmp_path), *args[1:], env={"PULUMI_CONFIG_PASSPHRASE": PHRASE}
    )
    out = result.stdout + result.stderr
    assert result.returncode == 2, out
    assert SECRET not in out and "northeurope" not in out and "Traceback" not in out
    assert "config.azure-native:location" in out and "is not an Azure region" in out
