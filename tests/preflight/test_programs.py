"""Hand-written programs under preflight: provider auto-naming as `pulumi preview` shows it, the
HA gate on any program, and secure config (decrypted with the passphrase, never shown)."""

import base64
import json
import re

import pytest

from preflight.program import passphrase
from tests.conftest import ROOT, run_preflight
from tests.preflight.test_bounds import program

pytestmark = pytest.mark.process

CLUSTER = """
import pulumi
from pulumi_azure_native import containerservice, kubernetesconfiguration, resources


group = resources.ResourceGroup("rg")
cluster = containerservice.ManagedCluster(
    "aks",
    resource_group_name=group.name,
    dns_prefix="aks",
    agent_pool_profiles=[
        {{"name": "sys", "count": {nodes}, "mode": "System", "vm_size": "Standard_D4s_v5"}}
    ],
)
kubernetesconfiguration.Extension(
    "ml",
    resource_group_name=group.name,
    cluster_name=cluster.name,
    cluster_rp="Microsoft.ContainerService",
    cluster_resource_name="managedClusters",
    extension_type="Microsoft.AzureML.Kubernetes",
    configuration_settings={{
        "enableInference": "True",
        "inferenceRouterServiceType": "loadBalancer",
        "allowInsecureConnections": "True",
    }},
)
"""


def test_azure_names_are_auto_named_and_deterministic(tmp_path):
    prog = program(tmp_path, CLUSTER.format(nodes=3))
    first = run_preflight("preview", "--program", str(prog), "--format", "json")
    assert first.returncode == 0, first.stderr
    second = run_preflight("preview", "--program", str(prog), "--format", "json")
    assert first.stdout == second.stdout
    inputs = {r["name"]: r["inputs"] for r in json.loads(first.stdout)["resources"]}
    group_name = inputs["rg"]["resourceGroupName"]
    assert re.fullmatch(r"rg[0-9a-f]{8}", group_name)
    # The group's `name` output is that name, so what reads it sees it known.
    assert inputs["aks"]["resourceGroupName"] == group_name
    assert re.fullmatch(r"aks[0-9a-f]{8}", inputs["aks"]["resourceName"])
    assert inputs["ml"]["clusterName"] == inputs["aks"]["resourceName"]
    assert re.fullmatch(r"ml[0-9a-f]{8}", inputs["ml"]["extensionName"])


@pytest.mark.parametrize("nodes,code", [(3, 0), (2, 1)])
def test_hand_written_ha_program(tmp_path, nodes, code):
    """The HA gate alone (the pack's other policies ask more of a hand-written program): the
    3-node cluster passes, evaluated (names are known at preview), the 2-node one fails."""
    prog = program(tmp_path, CLUSTER.format(nodes=nodes))
    only_ha = tmp_path / "only-ha.json"
    only_ha.write_text('{"all": "disabled", "router-ha-needs-three-nodes": "mandatory"}')
    result = run_preflight(
        "check", "--program", str(prog), "--policy-config", str(only_ha), "--format", "json"
    )
    assert result.returncode == code, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert [(v["policy"], v["enforcementLevel"]) for v in report["violations"]] == (
        [] if code == 0 else [("router-ha-needs-three-nodes", "mandatory")]
    )


PHRASE = "correct horse battery staple"
SECRET = "s3cr3t-value-xyz"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
ECHO = """
import pulumi
config = pulumi.Config()
note = config.get("note") or ""
pulumi.CustomResource("t:m:Tagged", "tagged", {"tag": note})
pulumi.export("note", note)
pulumi.export("decrypted", note == "s3cr3t-value-xyz")
pulumi.export("pemLines", len((config.get("pem") or "").splitlines()))
"""
ECHO_PACK = """
import pulumi
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def echo(args, report_violation):
    if args.name == "tagged":
        report_violation("tag is " + args.props["tag"] + "; config says " + pulumi.Config("prog").get("pem"))

PolicyPack(name="echo", enforcement_level=EnforcementLevel.ADVISORY, policies=[
    ResourceValidationPolicy(name="echo", description="Echoes secrets", validate=echo)])
"""


@pytest.fixture(scope="module")
def encrypted():
    """A stack file's salt and secure values, encrypted as pulumi's passphrase provider does."""
    salt = b"0123456789abcdef"
    key = passphrase.derive_key(PHRASE, salt)
    check = passphrase.encrypt(key, "pulumi", b"n" * 12)
    return {
        "salt": f"v1:{base64.b64encode(salt).decode()}:{check}",
        "note": passphrase.encrypt(key, SECRET, b"a" * 12),
        "pem": passphrase.encrypt(key, PEM, b"b" * 12),
    }


def _secret_program(tmp_path, encrypted):
    stack = (
        f"encryptionsalt: {encrypted['salt']}\n"
        "config:\n"
        f"  prog:note:\n    secure: {encrypted['note']}\n"
        f"  prog:pem:\n    secure: {encrypted['pem']}\n"
    )
    prog = program(tmp_path, ECHO, stack=stack)
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(ECHO_PACK)
    return prog, pack


def test_secure_values_are_decrypted_with_the_passphrase_and_never_shown(tmp_path, encrypted):
    prog, pack = _secret_program(tmp_path, encrypted)
    env = {"PULUMI_CONFIG_PASSPHRASE": PHRASE}
    preview = run_preflight("preview", "--program", str(prog), "--format", "json", env=env)
    assert preview.returncode == 0, preview.stderr
    plan = json.loads(preview.stdout)
    # Decrypted for the program (a secure value on a key not named secret stays secret) ...
    assert plan["outputs"]["decrypted"] is True and plan["outputs"]["pemLines"] == 3
    # ... and never printed, here or in what the pack says about it.
    assert plan["outputs"]["note"] == "[secret]"
    tagged = next(r for r in plan["resources"] if r["name"] == "tagged")
    assert tagged["inputs"] == {"tag": "[secret]"}
    check = run_preflight(
        "check", "--program", str(prog), "--policy-pack", str(pack), "--format", "json", env=env
    )
    assert check.returncode == 0, check.stderr
    [violation] = json.loads(check.stdout)["violations"]
    assert violation["message"] == "tag is [secret]; config says [secret]"
    for text in (preview.stdout, preview.stderr, check.stdout, check.stderr):
        assert SECRET not in text and "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in text


def test_without_the_passphrase_secure_values_are_placeholders(tmp_path, encrypted):
    prog, _pack = _secret_program(tmp_path, encrypted)
    result = run_preflight("preview", "--program", str(prog), "--format", "json")
    assert result.returncode == 0, result.stderr
    outputs = json.loads(result.stdout)["outputs"]
    assert outputs["decrypted"] is False and outputs["note"] == "[secret]"


def test_a_wrong_passphrase_is_invalid_input(tmp_path, encrypted):
    prog, _pack = _secret_program(tmp_path, encrypted)
    result = run_preflight(
        "preview", "--program", str(prog), env={"PULUMI_CONFIG_PASSPHRASE": "wrong"}
    )
    assert result.returncode == 2
    assert "Pulumi.dev.yaml: encryptionsalt: incorrect passphrase" in result.stderr


HOSTILE_NAMES = """
import pulumi
pulumi.CustomResource("t:m:T", 'a"]; evil [label="x', {})
pulumi.CustomResource("t:m:T", "line\\n| `code` | <b>x</b>", {})


class Remote(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("pkg:index:Remote", name, {}, None, remote=True)


Remote("far")
"""


def test_names_cannot_inject_markup_and_remote_components_are_named(tmp_path):
    prog = program(tmp_path, HOSTILE_NAMES)
    dot = run_preflight("preview", "--program", str(prog), "--format", "dot").stdout
    assert 'label="a\\"]; evil [label=\\"x\\nt:m:T"' in dot
    assert 'label="line\\\\n| `code` | <b>x</b>\\nt:m:T"' in dot
    markdown = run_preflight("preview", "--program", str(prog), "--format", "markdown").stdout
    assert "| `` line\\n\\| `code` \\| <b>x</b> `` |" in markdown
    assert all(line.count(" | ") - line.count("\\|") <= 4 for line in markdown.splitlines())
    plan = json.loads(run_preflight("preview", "--program", str(prog), "--format", "json").stdout)
    assert plan["diagnostics"] == [
        {
            "message": "remote component pkg:index:Remote 'far' is not expanded offline: its "
            "children are neither previewed nor checked",
            "severity": "warning",
        }
    ]


def test_the_benchmark_program_has_a_thousand_resources():
    """bench/preflight.py times `check` on it (budget: under 10 s); here it only must hold."""
    large = ROOT / "tests" / "preflight" / "large"
    result = run_preflight("preview", "--program", str(large), "--format", "json")
    assert result.returncode == 0, result.stderr
    custom = [r for r in json.loads(result.stdout)["resources"] if r["custom"]]
    assert len(custom) >= 1000
