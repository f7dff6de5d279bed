"""migrate_v1 --into STACKFILE: the instance type and endpoint are added to the stack file's
lists, nothing in it is overwritten or lost (comments included), the merged stack is validated
before anything is written, secure values are never decrypted or printed, and the file is
replaced atomically, or not at all."""

import difflib
import errno
import json
import os
import stat

import pytest
import yaml

from common import cli, files
from stacks import settings as stack_settings
from stacks.migrate_v1 import stackfile
from stacks.migrate_v1.command import main
from tests.support import prod_stack

CIPHER_CERT = "v1:c2VjcmV0LWNlcnQ=:ZW5jcnlwdGVkLWNlcnQ="
CIPHER_KEY = "v1:c2VjcmV0LWtleQ==:ZW5jcnlwdGVkLWtleQ=="
V1 = {
    "name": "fraud-v1svc",
    "computeType": "AKS",
    "models": ["fraud-model:5"],
    "containerResourceRequirements": {"cpu": 1, "memoryInGB": 2},
    "autoScaler": {"autoscaleEnabled": True, "minReplicas": 1, "maxReplicas": 2},
    "scoringTimeoutMs": 15000,
}


def stack_text(config: dict | None = None) -> str:
    """The production stack as a person writes it: comments, secure values, blank lines."""
    config = prod_stack.config() if config is None else config
    config = {
        **config,
        "azureml-k8s:sslCertPem": {"secure": CIPHER_CERT},
        "azureml-k8s:sslKeyPem": {"secure": CIPHER_KEY},
    }
    text = yaml.safe_dump(
        {"encryptionsalt": "v1:c2FsdA==:djE6YWJj", "config": config}, sort_keys=False
    )
    text = text.replace(
        "  azureml-k8s:endpoints:\n", "  # Online endpoints.\n\n  azureml-k8s:endpoints:\n"
    )
    return "# prod: the production stack.\n" + text + "# end of the stack\n"


@pytest.fixture
def paths(tmp_path):
    v1 = tmp_path / "fraud.json"
    v1.write_text(json.dumps(V1))
    stack = tmp_path / "Pulumi.prod.yaml"
    stack.write_text(stack_text())
    return v1, stack


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.run(main, [str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def into(capsys, v1, stack, *flags) -> tuple[int, str, str]:
    return run(capsys, v1, "--compute", "k8s-team-a", *flags, "--into", stack)


def only_insertions(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if anything of `before` changed or went."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        assert tag in ("equal", "insert"), (tag, old[i1:i2], new[j1:j2])
        added += new[j1:j2] if tag == "insert" else []
    return added


def validated(stack) -> stack_settings.Settings:
    config = files.load_yaml(stack)["config"]
    values, secrets = stackfile.values(config)
    return stack_settings.parse(values, secrets, str(stack))


def test_merges_without_touching_anything_else(paths, capsys):
    v1, stack = paths
    before = stack.read_text()
    code, out, err = into(capsys, v1, stack)
    assert code == 0, err
    after = stack.read_text()
    added = only_insertions(before, after)
    # Offered by compute k8s-team-a, which lists the types it offers.
    assert [line.strip() for line in added].count("- fraud-v1svc-v1") == 1
    config = yaml.safe_load(after)["config"]
    assert [t["name"] for t in config["azureml-k8s:instanceTypes"]] == [
        "cpu-small",
        "gpu-a100",
        "fraud-v1svc-v1",
    ]
    assert [e["name"] for e in config["azureml-k8s:endpoints"]] == ["fraud-score", "fraud-v1svc"]
    assert config["azureml-k8s:sslCertPem"] == {"secure": CIPHER_CERT}
    assert validated(stack).endpoints[1].deployments[0].model == "azureml:fraud-model:5"
    # stdout: the comments alone, saying what went where; no secret, no YAML body.
    assert all(line.startswith("#") for line in out.splitlines())
    assert '# Merged into "' in out and 'azureml-k8s:endpoints[1] "fraud-v1svc"' in out
    assert 'Added "fraud-v1svc-v1" to azureml-k8s:computes[0].instanceTypes' in out
    assert CIPHER_CERT not in out + err and CIPHER_KEY not in out + err
    assert sorted(p.name for p in stack.parent.iterdir()) == ["Pulumi.prod.yaml", "fraud.json"]


def test_the_file_keeps_its_permissions(paths, capsys):
    v1, stack = paths
    stack.chmod(0o640)
    assert into(capsys, v1, stack)[0] == 0
    assert stat.S_IMODE(stack.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "flags,fragment",
    [
        (
            ["--name", "fraud-score"],
            'config.azureml-k8s:endpoints[0].name: endpoint "fraud-score" is already in the '
            "stack and is never overwritten: give --name NAME",
        ),
        (
            ["--instance-type", "cpu-small"],
            'config.azureml-k8s:instanceTypes[0].name: instance type "cpu-small" is already in '
            "the stack and is never overwritten: give --instance-type NAME",
        ),
    ],
)
def test_a_name_already_in_the_stack_exits_2_and_the_file_is_untouched(
    paths, capsys, flags, fragment
):
    v1, stack = paths
    before = stack.read_bytes()
    code, out, err = into(capsys, v1, stack, *flags)
    assert (code, out) == (2, "")
    assert f"migrate_v1: {stack}: {fragment}" in err
    assert stack.read_bytes() == before


def test_an_unknown_compute_exits_2_listing_the_stacks(paths, capsys):
    v1, stack = paths
    before = stack.read_bytes()
    code, out, err = run(capsys, v1, "--compute", "k8s-team-z", "--into", stack)
    assert (code, out) == (2, "")
    assert 'no compute "k8s-team-z" (the stack\'s: "k8s-team-a", "k8s-team-b")' in err
    assert stack.read_bytes() == before


def test_an_invalid_merged_stack_is_never_written(tmp_path, paths, capsys):
    v1, stack = paths
    v1.write_text(json.dumps({**V1, "gpuCores": 1}))
    config = prod_stack.config()  # valid without GPUs: no GPU type, no NVIDIA device plugin
    config["azureml-k8s:extension"]["installNvidiaDevicePlugin"] = False
    config["azureml-k8s:instanceTypes"].pop()
    config["azureml-k8s:computes"][0]["instanceTypes"] = ["cpu-small"]
    config["azureml-k8s:endpoints"][0]["deployments"].pop()
    config["azureml-k8s:endpoints"][0]["deployments"][0]["traffic"] = 100
    stack.write_text(stack_text(config))
    validated(stack)
    before = stack.read_bytes()
    code, out, err = into(capsys, v1, stack)
    assert (code, out) == (2, "")
    assert "config.azureml-k8s:instanceTypes[1].resources.limits.nvidia.com/gpu: a GPU " in err
    assert err.splitlines()[-1].endswith("the merged stack would be invalid; nothing was written")
    assert stack.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.prod.yaml", "fraud.json"]


def test_a_stack_invalid_before_the_merge_is_reported_as_such(paths, capsys):
    v1, stack = paths
    config = prod_stack.config()
    config["azureml-k8s:cluster"]["name"] = "Not A Name!"
    stack.write_text(stack_text(config))
    before = stack.read_bytes()
    code, _, err = into(capsys, v1, stack)
    assert code == 2 and "so before the merge too: fix the stack first" in err
    assert stack.read_bytes() == before


def test_missing_lists_are_added_at_the_end_of_config(paths, capsys):
    v1, stack = paths
    config = prod_stack.config()
    del config["azureml-k8s:endpoints"]
    config["azureml-k8s:computes"][0]["instanceTypes"] = []  # offers any type
    stack.write_text(stack_text(config))
    before = stack.read_text()
    code, _, err = into(capsys, v1, stack)
    assert code == 0, err
    only_insertions(before, stack.read_text())
    config = yaml.safe_load(stack.read_text())["config"]
    assert list(config)[-1] == "azureml-k8s:endpoints"
    assert config["azureml-k8s:endpoints"][0]["name"] == "fraud-v1svc"
    assert config["azureml-k8s:computes"][0]["instanceTypes"] == []


def test_flow_style_lists_and_crlf_line_ends(paths, capsys):
    v1, stack = paths
    text = stack_text().replace(
        "    instanceTypes:\n    - cpu-small\n    - gpu-a100\n",
        "    instanceTypes: [cpu-small, gpu-a100]\n",
    )
    assert "[cpu-small, gpu-a100]" in text
    stack.write_bytes(text.replace("\n", "\r\n").encode())
    code, _, err = into(capsys, v1, stack)
    assert code == 0, err
    after = stack.read_bytes().decode()
    assert "\n" not in after.replace("\r\n", "")
    assert "instanceTypes: [cpu-small, gpu-a100, fraud-v1svc-v1]\r\n" in after
    assert validated(stack).computes[0].instanceTypes == ["cpu-small", "gpu-a100", "fraud-v1svc-v1"]


def test_a_hostile_description_goes_in_as_one_value(paths, capsys):
    v1, stack = paths
    hostile = "x\n  azureml-k8s:extension: {allowInsecureConnections: true}\u2028# : {\n---\n..."
    v1.write_text(json.dumps({**V1, "description": hostile}))
    before = stack.read_text()
    code, _, err = into(capsys, v1, stack)
    assert code == 0, err
    only_insertions(before, stack.read_text())
    config = yaml.safe_load(stack.read_text())["config"]
    assert config["azureml-k8s:endpoints"][1]["description"] == hostile
    assert config["azureml-k8s:extension"] == prod_stack.config()["azureml-k8s:extension"]


def test_a_failed_write_exits_74_and_leaves_the_file_untouched(paths, capsys, monkeypatch):
    v1, stack = paths
    before = stack.read_bytes()

    def full_disk(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(stackfile.os, "replace", full_disk)
    code, out, err = into(capsys, v1, stack)
    assert (code, out) == (cli.OUTPUT_FAILED, "")
    assert f"migrate_v1: {stack}: cannot write: No space left on device; it is unchanged" in err
    assert stack.read_bytes() == before
    assert sorted(p.name for p in stack.parent.iterdir()) == ["Pulumi.prod.yaml", "fraud.json"]


def test_a_file_changed_meanwhile_is_not_overwritten(paths, capsys, monkeypatch):
    v1, stack = paths
    real = files.read_bytes
    calls = []

    def edited_meanwhile(path, shown=None, limit=files.MAX_FILE_BYTES):
        if os.path.realpath(path) == str(stack.resolve()):
            calls.append(path)
        if len(calls) == 2:  # the stack file's second read: the check just before the replace
            calls.append("edited")
            stack.write_text(stack.read_text() + "# someone else's edit\n")
        return real(path, shown, limit)

    monkeypatch.setattr(files, "read_bytes", edited_meanwhile)
    code, _, err = into(capsys, v1, stack)
    assert code == 2 and "changed while this ran; nothing was written: run again" in err
    assert stack.read_text().endswith("# someone else's edit\n")
    assert "fraud-v1svc" not in stack.read_text()


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "missing"])
def test_an_unreadable_stack_file_exits_2(tmp_path, paths, capsys, special):
    v1, _ = paths
    target = tmp_path / "Pulumi.fifo.yaml"
    if special == "fifo":
        os.mkfifo(target)
    elif special == "/dev/zero":
        target = special
    else:
        target = tmp_path / "Pulumi.missing.yaml"
    code, out, err = into(capsys, v1, target)
    assert (code, out) == (2, "") and f"migrate_v1: {target}: file: cannot read" in err


def test_a_stack_file_with_aliases_exits_2(paths, capsys):
    v1, stack = paths
    stack.write_text("config: &c\n  azure-native:location: westeurope\nother: *c\n")
    code, _, err = into(capsys, v1, stack)
    assert code == 2 and "YAML aliases (*c) are not allowed" in err
