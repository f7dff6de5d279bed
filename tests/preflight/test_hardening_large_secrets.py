"""In-bound inputs that used to take minutes or die (issue: a 5.4 MB stack with a 300,000-line
secret, a 4 MB certificate, a 100,000-line kubeconfig) preview to the end in every format and
never show a line of their secrets; a secret that is a word of the plan's structure leaves the
plan readable by `preflight diff`. Timings: tests/preflight/large_secrets.py (a bench)."""

import json
import re

import pytest

from preflight.program import passphrase
from tests.conftest import run_preflight
from tests.preflight import large_secrets

pytestmark = pytest.mark.process

# What each case's secret looks like, to find any fragment of it in an output.
SIGNATURES = {
    "300,000-line secret": re.compile(r"line-\d{6}-\d{5}"),
    "4 MB certificate": re.compile(r"[A-Za-z0-9+/]{64}"),  # a PEM body line (of the key too)
    "100,000-line kubeconfig": re.compile(r"token-\d{6}-\d{7}"),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return large_secrets.write_cases(tmp_path_factory.mktemp("large"))


@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_large_secrets_preview_and_never_leak(cases, name, fmt):
    path, watched = cases[name]
    result = large_secrets.preview(path, "--format", fmt)
    assert result.returncode == 0, result.stderr[-2000:]
    for text in (result.stdout, result.stderr):
        assert not SIGNATURES[name].search(text)
        assert not any(line in text for line in watched[:500] + watched[-500:])
    if fmt == "json":
        assert json.loads(result.stdout)["resources"]


COMMON_WORDS = ["resources", "inputs", "create", "urn:pulumi"]


def test_a_secret_that_is_a_word_of_the_plan_leaves_it_readable(tmp_path):
    salt = b"0123456789abcdef"
    key = passphrase.derive_key("words", salt)
    check = passphrase.encrypt(key, "pulumi", b"c" * 12)
    lines = [f"encryptionsalt: v1:{large_secrets.base64.b64encode(salt).decode()}:{check}"]
    lines.append("config:")
    for index, word in enumerate(COMMON_WORDS):
        secure = passphrase.encrypt(key, word, index.to_bytes(12, "big"))
        lines.append(f"  azure-native:secret{index}:\n    secure: {secure}")
    (tmp_path / "Pulumi.yaml").write_text("name: words\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\npulumi.CustomResource('azure-native:resources:ResourceGroup', 'rg', "
        "{'tags': {'note': 'create resources'}})\n"
    )
    env = {"PULUMI_CONFIG_PASSPHRASE": "words", "PULUMI_CONFIG_PASSPHRASE_FILE": None}
    preview = run_preflight("preview", "--program", str(tmp_path), "--format", "json", env=env)
    assert preview.returncode == 0, preview.stderr
    plan = json.loads(preview.stdout)
    assert {"resources", "summary", "outputs"} <= set(plan)
    assert all({"urn", "type", "inputs", "op"} <= set(r) for r in plan["resources"])
    group = next(r for r in plan["resources"] if r["name"] == "rg")
    assert group["inputs"]["tags"] == {"note": "[secret] [secret]"}
    (tmp_path / "plan.json").write_text(preview.stdout)
    diff = run_preflight("diff", str(tmp_path / "plan.json"), str(tmp_path / "plan.json"))
    assert diff.returncode == 0, diff.stderr
    check = run_preflight("check", "--program", str(tmp_path), "--format", "json", env=env)
    assert check.returncode in (0, 1), check.stderr
    assert {"errors", "violations", "mandatory", "policyPack"} <= set(json.loads(check.stdout))
