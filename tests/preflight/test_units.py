"""preflight's pieces in-process: redaction, the passphrase crypter, config reconciliation and
gojsonschema's messages, durations, escaping, auto-naming."""

import base64
import json

import pytest
from google.protobuf import json_format

from preflight.pack import analyzer, policyconfig
from preflight.program import passphrase
from preflight.program.monitor import autoname, name_property
from preflight.report import render
from preflight.report.redaction import Redactor
from preflight.sdk import analyzer_pb2


def test_redactor_hides_values_lines_escapes_and_base64():
    pem = "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END KEY-----\n"
    redact = Redactor(["hunter22", pem, "true", "abc"])
    text = " | ".join(
        [
            "hunter22",
            json.dumps(pem)[1:-1],
            "MIIBOgIBAAJBAKj34GkxFhD9",
            base64.b64encode(b"hunter22").decode(),
            "true",
            "abc",
        ]
    )
    assert redact(text) == "[secret] | [secret] | [secret] | [secret] | true | abc"


def test_passphrase_round_trip_and_wrong_passphrase():
    salt = b"salt-for-a-test!"
    key = passphrase.derive_key("right", salt)
    stack_salt = (
        f"v1:{base64.b64encode(salt).decode()}:{passphrase.encrypt(key, 'pulumi', b'1' * 12)}"
    )
    assert passphrase.key_for_stack(stack_salt, "right") == key
    assert passphrase.decrypt(key, passphrase.encrypt(key, "value", b"2" * 12)) == "value"
    with pytest.raises(passphrase.PassphraseError, match="incorrect passphrase"):
        passphrase.key_for_stack(stack_salt, "wrong")
    with pytest.raises(passphrase.PassphraseError, match="not a passphrase-encrypted value"):
        passphrase.decrypt(key, "v2:abc")


def _info(*policies):
    info = analyzer_pb2.AnalyzerInfo(name="pack", version="1.0.0")
    for name, level, schema in policies:
        policy = info.policies.add(name=name, enforcementLevel=analyzer.LEVEL_CODES[level])
        if schema is not None:
            json_format.ParseDict(schema, policy.configSchema.properties)
            policy.configSchema.SetInParent()
    return info


def test_reconcile_layers_defaults_initial_file_and_all():
    info = _info(
        ("a", "advisory", {"foo": {"type": "string", "default": "d"}}),
        ("b", "mandatory", None),
    )
    initial = {"a": {"foo": "initial"}, "all": {"enforcementLevel": "disabled"}}
    effective = policyconfig.reconcile(info, initial, {"all": {"enforcementLevel": "mandatory"}})
    assert effective == {
        "a": {"enforcementLevel": "mandatory", "foo": "initial"},
        "b": {"enforcementLevel": "mandatory"},
    }
    with pytest.raises(policyconfig.PolicyConfigError, match="unknown policy 'c'"):
        policyconfig.reconcile(info, {}, {"c": {"enforcementLevel": "mandatory"}})


@pytest.mark.parametrize(
    "schema,props,message",
    [
        (
            {"foo": {"type": "string"}},
            {"foo": True},
            "foo: Invalid type. Expected: string, given: boolean",
        ),
        (
            {"foo": {"type": "integer"}},
            {"foo": 2.5},
            "foo: Invalid type. Expected: integer, given: number",
        ),
        (
            {"foo": {"type": "number", "minimum": 3}},
            {"foo": 1},
            "foo: Must be greater than or equal to 3",
        ),
        (
            {"foo": {"type": "string", "pattern": "^a"}},
            {"foo": "b"},
            "foo: Does not match pattern '^a'",
        ),
    ],
)
def test_gojsonschema_messages(schema, props, message):
    info = _info(("p", "mandatory", schema))
    with pytest.raises(policyconfig.PolicyConfigError) as caught:
        policyconfig.validate(info, {"p": {"enforcementLevel": "mandatory", **props}})
    assert caught.value.problems == [("p", message)]
    assert str(caught.value) == f"validating policy config: pack 1.0.0  p: {message}"


def test_go_durations():
    assert analyzer.duration_seconds("1h30m") == 5400
    assert analyzer.duration_seconds("2m") == 120
    assert analyzer.duration_seconds("1.5s") == 1.5
    assert analyzer.duration_seconds("") == 0


def test_escaping():
    assert render.visible("a\nb\x1b") == "a\\nb\\x1b"
    assert render.md_code("x|y") == "`x\\|y`"
    assert render.md_code("a`b") == "`` a`b ``"
    assert render.dot_string('say "hi"\\') == 'say \\"hi\\"\\\\'


def test_azure_native_name_properties():
    from pulumi_azure_native import containerservice, resources  # noqa: F401 - loads the types

    assert name_property("azure-native:resources:ResourceGroup") == "resourceGroupName"
    assert name_property("azure-native:containerservice:ManagedCluster") == "resourceName"
    assert name_property("azure-native:containerservice:AgentPool") == "agentPoolName"
    assert name_property("kubernetes:core/v1:Namespace") is None
    assert autoname("urn:a", "rg") == autoname("urn:a", "rg") != autoname("urn:b", "rg")
    assert len(autoname("urn:a", "rg")) == len("rg") + 8


class _FakePack:
    """Answers Remediate as a pack would: one remediation that could not run, one that did."""

    def call(self, method, request, timeout):
        assert method == "Remediate"
        response = analyzer_pb2.RemediateResponse()
        response.remediations.add(policyName="cannot", diagnostic="can't run remediation 'x'")
        done = response.remediations.add(policyName="fixes")
        json_format.ParseDict({"value": "fixed"}, done.properties)
        return response


def test_remediations_replace_inputs_and_diagnostics_are_advisory_notes():
    from preflight.report.plan import Resource

    resource = Resource(
        "urn:pulumi:s::p::t:m:T::r",
        "t:m:T",
        "r",
        True,
        "",
        "",
        [],
        {},
        {},
        {"value": "original"},
        {"value": "original"},
    )
    analysis = analyzer.Analysis("pack", "1", [])
    inputs = analyzer._remediate(_FakePack(), resource, {}, analysis, 5)
    assert inputs == {"value": "fixed"}
    assert analysis.remediations == [{"policy": "fixes", "urn": resource.urn}]
    [note] = analysis.violations
    assert (note.policy, note.enforcement_level, note.unevaluated, note.urn) == (
        "cannot",
        "advisory",
        True,
        resource.urn,
    )
