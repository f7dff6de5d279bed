"""preflight end to end: the shipped stacks, the failing fixtures, determinism, no secret leaks,
bad input with distinct exit codes and no traceback."""

import json

import pytest

from policy import pack
from tests.conftest import ROOT, run_preflight

pytestmark = pytest.mark.process

FIXTURES = ROOT / "tests" / "fixtures"
# Every stack the project keeps, a team's own included: each must check clean and preview the
# same bytes twice.
STACKS = sorted(
    p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_checks_clean(stack):
    result = run_preflight("check", "--stack", stack, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["violations"] == [] and report["errors"] == []
    # Every policy of the pack loaded and ran, the waivers report last.
    assert [p["name"] for p in report["policyPack"]["policies"]] == [
        rule.name for rule in pack.rules()
    ] + ["waivers"]


@pytest.mark.parametrize("stack", STACKS)
def test_plans_are_byte_identical(stack):
    first = run_preflight("preview", "--stack", stack, "--format", "json")
    second = run_preflight("preview", "--stack", stack, "--format", "json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


def test_hpa_in_compute_namespace_fails_check():
    result = run_preflight(
        "check",
        "--config",
        str(FIXTURES / "Pulumi.hpa-in-compute-namespace.yaml"),
        "--format",
        "json",
    )
    assert result.returncode == 1
    violations = json.loads(result.stdout)["violations"]
    assert [v["policy"] for v in violations] == ["no-hpa-on-model-deployments"]
    assert violations[0]["enforcementLevel"] == "mandatory"
    assert violations[0]["urn"].endswith(
        "::azureml-manifests-horizontalpodautoscaler-azureml-dev-score-hpa"
    )


def test_ha_on_two_nodes_fails_check_naming_the_policy():
    result = run_preflight(
        "check", "--config", str(FIXTURES / "Pulumi.ha-two-nodes.yaml"), "--format", "json"
    )
    assert result.returncode == 2
    errors = json.loads(result.stdout)["errors"]
    # The error names the stack file, then the key.
    assert errors[0]["path"].startswith(str(FIXTURES / "Pulumi.ha-two-nodes.yaml") + ": ")
    assert errors[0]["path"].endswith("extension.inferenceRouterHA")
    assert "router-ha-needs-three-nodes" in errors[0]["message"]


def test_ha_policy_gates_any_program(tmp_path):
    """A raw program (no settings to stop it) with HA on a two-node cluster fails the gate."""
    program = tmp_path / "raw"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: raw\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text("""
from pulumi_azure_native import containerservice, kubernetesconfiguration
cluster = containerservice.ManagedCluster("aks", resource_group_name="rg", resource_name_="small",
    agent_pool_profiles=[{"name": "sys", "count": 1, "mode": "System", "vm_size": "Standard_D4s_v5"}])
pool = containerservice.AgentPool("extra", resource_group_name="rg", resource_name_="small",
    agent_pool_name="user", count=1)
kubernetesconfiguration.Extension("ml", resource_group_name="rg", cluster_name="small",
    cluster_rp="Microsoft.ContainerService", cluster_resource_name="managedClusters",
    extension_type="Microsoft.AzureML.Kubernetes",
    configuration_settings={"enableInference": "True", "inferenceRouterServiceType": "loadBalancer",
                            "allowInsecureConnections": "True"},
    opts=__import__("pulumi").ResourceOptions(depends_on=[cluster]))
""")
    only_ha = tmp_path / "only-ha.json"  # the pack's other policies ask more of a raw program
    only_ha.write_text('{"all": "disabled", "router-ha-needs-three-nodes": "mandatory"}')
    result = run_preflight(
        "check", "--program", str(program), "--policy-config", str(only_ha), "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    violations = json.loads(result.stdout)["violations"]
    assert [v["policy"] for v in violations] == ["router-ha-needs-three-nodes"]
    assert "only 2 node(s)" in violations[0]["message"]  # the separate AgentPool counts


def test_no_secret_in_any_output(tmp_path):
    stack = tmp_path / "Pulumi.secret.yaml"
    text = (
        (ROOT / "stacks" / "Pulumi.dev.yaml")
        .read_text()
        .replace("    allowInsecureConnections: true\n", "    sslCname: scoring.contoso.com\n")
    )
    text += (
        "  azureml-k8s:sslCertPem: {secure: v1:abc}\n  azureml-k8s:sslKeyPem: {secure: v1:def}\n"
    )
    stack.write_text(text)
    outputs = [
        run_preflight("preview", "--config", str(stack), "--format", f).stdout
        for f in ("json", "text", "markdown", "dot")
    ]
    outputs.append(run_preflight("check", "--config", str(stack), "--format", "json").stdout)
    plan = json.loads(outputs[0])
    ext = next(r for r in plan["resources"] if r["type"].endswith(":Extension"))
    assert ext["inputs"]["configurationProtectedSettings"] == {
        "scoringFe.sslCert": "[secret]",
        "scoringFe.sslKey": "[secret]",
    }
    for out in outputs:
        assert out
        for leak in (
            "preflight-secret-placeholder",
            "cHJlZmxpZ2h0",
            "preflight-placeholder",
            "token:",
            "v1:abc",
        ):
            assert leak not in out


def test_diff_flags_disruptive_and_replacing_changes(tmp_path):
    original = FIXTURES / "Pulumi.difftest.yaml"
    base = run_preflight("preview", "--config", str(original), "--format", "json").stdout
    changed = (
        original.read_text()
        .replace("sslCname: scoring.ml.contoso.com", "sslCname: score.ml.contoso.com")
        .replace("name: mlprod", "name: mlprod2")
        .replace("sizing: {rps: 2, requestTimeMs: 1000}", "sizing: {rps: 20, requestTimeMs: 1000}")
    )
    (tmp_path / original.name).write_text(changed)
    head = run_preflight(
        "preview", "--config", str(tmp_path / original.name), "--format", "json"
    ).stdout
    (tmp_path / "base.json").write_text(base)
    (tmp_path / "head.json").write_text(head)
    text = run_preflight("diff", str(tmp_path / "base.json"), str(tmp_path / "head.json")).stdout
    assert "DISRUPTIVE: sslCname changed" in text
    assert "REPLACES" in text
    # The capacity warning the change causes, without either stack file's path.
    [new] = [line for line in text.splitlines() if line.startswith("! new warning: ")]
    assert "maxInstances (green 29) need 29 replicas" in new and "Pulumi.difftest" not in new
    md = run_preflight(
        "diff", str(tmp_path / "base.json"), str(tmp_path / "head.json"), "--format", "markdown"
    ).stdout
    assert "**Disrupts**" in md and "**Replaces**" in md and "**New warning**" in md


def test_preview_formats():
    text = run_preflight("preview", "--stack", "dev").stdout
    assert "azure-native:containerservice:ManagedCluster" in text and "to create" in text
    assert run_preflight("preview", "--stack", "dev", "--format", "dot").stdout.startswith(
        "digraph"
    )
    assert "| + |" in run_preflight("preview", "--stack", "dev", "--format", "markdown").stdout


def _bad(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "args,code,fragment",
    [
        (
            lambda t: ["check", "--config", _bad(t, "Pulumi.x.yaml", "config:\n  a: [1,\n")],
            2,
            "not valid YAML",
        ),
        (
            lambda t: [
                "check",
                "--config",
                _bad(
                    t,
                    "Pulumi.x.yaml",
                    (ROOT / "stacks/Pulumi.dev.yaml")
                    .read_text()
                    .replace("enableTraining", "enableTraning"),
                ),
            ],
            2,
            "did you mean 'enableTraining'",
        ),
        (
            lambda t: ["check", "--stack", "nope"],
            2,
            "known stacks: " + ", ".join(STACKS),
        ),
        (lambda t: ["check", "--config", str(t / "missing.yaml")], 2, "cannot read"),
        (lambda t: ["preview", "--bogus"], 64, "unrecognized arguments"),
        (
            lambda t: [
                "check",
                "--stack",
                "dev",
                "--policy-config",
                _bad(t, "p.json", '{"nope": "mandatory"}'),
            ],
            2,
            "unknown policy 'nope'",
        ),
    ],
)
def test_bad_input(tmp_path, args, code, fragment):
    result = run_preflight(*args(tmp_path))
    assert result.returncode == code, result.stdout + result.stderr
    assert fragment in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_program_that_raises(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("x = 1\nraise ValueError('boom')\n")
    result = run_preflight("preview", "--program", str(tmp_path))
    assert result.returncode == 3
    assert "__main__.py:2" in result.stderr and "ValueError: boom" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_pack_that_crashes(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import nothing_here\n")
    result = run_preflight("check", "--stack", "dev", "--policy-pack", str(pack))
    assert result.returncode == 4
    assert "__main__.py:1" in result.stderr and "ModuleNotFoundError" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_config_can_downgrade(tmp_path):
    config = _bad(tmp_path, "p.json", '{"no-hpa-on-model-deployments": "advisory"}')
    result = run_preflight(
        "check",
        "--config",
        str(FIXTURES / "Pulumi.hpa-in-compute-namespace.yaml"),
        "--policy-config",
        config,
        "--format",
        "json",
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["violations"][0]["enforcementLevel"] == "advisory"
