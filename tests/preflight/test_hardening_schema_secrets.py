"""Properties the provider SDKs' schemas mark secret are [secret] in every format, as `pulumi
preview` shows them, even when a hand-written program passes them in plain text or registers the
resource by its token without the SDK class; the list comes from the installed SDKs' generated
code (preflight/program/secretschema.py), never from a hand-written one."""

import json
import re
from pathlib import Path

import pytest

from preflight.program import secretschema
from tests.conftest import run_preflight
from tests.preflight.test_bounds import program

SECRETS = ["raw-k8s-secret-value-1", "explicit-provider-secret-2", "default-provider-secret-3"]
PROGRAM = """
import pulumi
import pulumi_azure_native as azure_native
import pulumi_tls as tls

# By token, without the SDK class: the SDK cannot wrap anything, the schema still says secret.
pulumi.CustomResource(
    "kubernetes:core/v1:Secret", "raw", {"stringData": {"password": "raw-k8s-secret-value-1"}}
)
azure_native.Provider("explicit", client_secret="explicit-provider-secret-2")
key = tls.PrivateKey("key", algorithm="ECDSA")
pulumi.CustomResource("azure-native:resources:ResourceGroup", "rg", {})  # the default provider
pulumi.export("keyPem", key.private_key_pem)
"""
STACK = "config:\n  azure-native:clientSecret: default-provider-secret-3\n"


def test_the_index_comes_from_the_installed_sdks():
    provider = secretschema.secret_properties("pulumi:providers:azure-native")
    assert {"clientSecret", "clientCertificatePassword"} <= provider.inputs
    secret = secretschema.secret_properties("kubernetes:core/v1:Secret")
    assert secret.inputs == {"data", "stringData"} and secret.outputs >= secret.inputs
    assert (
        "privateKeyPem" in secretschema.secret_properties("tls:index/privateKey:PrivateKey").outputs
    )
    for unknown in ("x:y:Z", "azure-native:../..:X", "kubernetes:core/v1:NoSuch", "a:b"):
        assert secretschema.secret_properties(unknown) == secretschema.NONE


def test_the_index_reads_every_secret_the_generated_code_marks():
    """Every `pulumi.Output.secret(` and `additional_secret_outputs` in the resource modules of
    pulumi-kubernetes' core/v1 and azure-native's provider is found by the index."""
    root = Path(secretschema._package_dir("pulumi_kubernetes")) / "core" / "v1"
    marked = {p.stem for p in root.glob("*.py") if "pulumi.Output.secret(" in p.read_text()}
    assert marked == {"Secret", "SecretPatch"}
    for name in marked:
        assert secretschema.secret_properties(f"kubernetes:core/v1:{name}").inputs


@pytest.mark.process
@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "dot"])
def test_schema_secrets_are_masked_in_every_format(tmp_path, fmt):
    prog = program(tmp_path, PROGRAM, stack=STACK)
    result = run_preflight("preview", "--program", str(prog), "--format", fmt)
    assert result.returncode == 0, result.stderr
    for text in (result.stdout, result.stderr):
        assert not any(secret in text for secret in SECRETS), fmt
        assert "PRIVATE KEY" not in text
    if fmt == "json":
        plan = json.loads(result.stdout)
        by_name = {r["name"]: r for r in plan["resources"]}
        assert by_name["raw"]["inputs"]["stringData"] == "[secret]"
        assert by_name["explicit"]["inputs"]["clientSecret"] == "[secret]"
        default = next(
            r
            for r in plan["resources"]
            if r["type"] == "pulumi:providers:azure-native"
            and re.fullmatch(r"default.*", r["name"])
        )
        assert default["inputs"]["clientSecret"] == "[secret]"


@pytest.mark.process
def test_the_policy_pack_sees_schema_secrets_as_plain_values_as_the_engine_passes_them(tmp_path):
    """Masked in every output; the pack still reads the value (pulumi-policy unwraps secrets)."""
    prog = program(tmp_path, PROGRAM, stack=STACK)
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(
        "from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy\n"
        "def echo(args, report):\n"
        "    if args.resource_type == 'kubernetes:core/v1:Secret':\n"
        "        report('password is ' + args.props['stringData']['password'])\n"
        "PolicyPack(name='echo', enforcement_level=EnforcementLevel.ADVISORY, policies=[\n"
        "    ResourceValidationPolicy(name='echo', description='echo', validate=echo)])\n"
    )
    result = run_preflight(
        "check", "--program", str(prog), "--policy-pack", str(pack), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    [violation] = json.loads(result.stdout)["violations"]
    assert violation["message"] == "password is [secret]"
