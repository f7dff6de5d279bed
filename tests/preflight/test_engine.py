"""preflight check gives what the pulumi engine gives on pulumi-policy's integration scenarios.

The expectations are those of pulumi-policy's tests/integration/integration_test.go (levels,
messages, URNs, exit status); the program and packs are this project's Python counterparts of
the upstream scenario programs (tests/preflight/engine/). A scenario the engine fails is exit 1
(a mandatory violation) or 2 (invalid policy config); one it passes, with or without advisory
violations, is exit 0.
"""

import json

import pytest
import yaml

from tests.conftest import ROOT, run_preflight

pytestmark = pytest.mark.process

ENGINE = ROOT / "tests" / "preflight" / "engine"
PROGRAM = ENGINE / "program"
STACK_URN = "urn:pulumi:engine::policy-scenarios::pulumi:pulumi:Stack::policy-scenarios-engine"


def check(tmp_path, pack: str, config: dict | None = None, policy_config=None, *extra: str):
    stack = tmp_path / "Pulumi.engine.yaml"
    stack.write_text(yaml.safe_dump({"config": config or {}}))
    args = ["check", "--program", str(PROGRAM), "--config", str(stack)]
    args += ["--policy-pack", str(ENGINE / "packs" / pack), "--format", "json", *extra]
    if policy_config is not None:
        path = tmp_path / "policy-config.json"
        path.write_text(json.dumps(policy_config))
        args += ["--policy-config", str(path)]
    result = run_preflight(*args)
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


# (pack level, policy level) -> the level both violations are reported at, or None for none
# (TestEnforcementLevel; a Python pack always has a level, so "not set" is advisory).
LEVELS = {
    ("advisory", "advisory"): "advisory",
    ("advisory", "disabled"): None,
    ("advisory", "mandatory"): "mandatory",
    ("advisory", "none"): "advisory",
    ("disabled", "advisory"): "advisory",
    ("disabled", "disabled"): None,
    ("disabled", "mandatory"): "mandatory",
    ("disabled", "none"): None,
    ("mandatory", "advisory"): "advisory",
    ("mandatory", "disabled"): None,
    ("mandatory", "mandatory"): "mandatory",
    ("mandatory", "none"): "mandatory",
}


@pytest.mark.parametrize("pack_level,policy_level", sorted(LEVELS))
def test_enforcement_levels(tmp_path, pack_level, policy_level):
    code, report = check(tmp_path, "levels", {"packLevel": pack_level, "policyLevel": policy_level})
    level = LEVELS[pack_level, policy_level]
    want = (
        []
        if level is None
        else [
            (level, "validate-resource", "validate-resource-violation-message", "::str"),
            (level, "validate-stack", "validate-stack-violation-message", STACK_URN),
        ]
    )
    got = [
        (v["enforcementLevel"], v["policy"], v["message"], v["urn"]) for v in report["violations"]
    ]
    assert len(got) == len(want)
    for (g_level, g_policy, g_message, g_urn), (w_level, w_policy, w_message, w_urn) in zip(
        got, want, strict=True
    ):
        assert (g_level, g_policy, g_message) == (w_level, w_policy, w_message)
        assert g_urn.endswith(w_urn)
    assert code == (1 if level == "mandatory" else 0)


def test_policy_config_can_set_all_levels(tmp_path):
    code, report = check(tmp_path, "levels", {"packLevel": "advisory"}, {"all": "mandatory"})
    assert code == 1
    assert {v["enforcementLevel"] for v in report["violations"]} == {"mandatory"}


BOTH = ("resource-validation", "stack-validation")


def _both(value):
    return {name: value for name in BOTH}


# TestConfig: (schema, file config for both policies, expected config, exit, messages).
CONFIG_SCENARIOS = {
    "1 string from config": ("string", {"foo": "bar"}, {"foo": "bar"}, 0, []),
    "2 default string": ("default-string", None, {"foo": "bar"}, 0, []),
    "3 default number": ("default-number", None, {"foo": 42}, 0, []),
    "4 config overrides default": (
        "default-string",
        {"foo": "overridden"},
        {"foo": "overridden"},
        0,
        [],
    ),
    "5 required with default": ("required-default", None, {"foo": "bar"}, 0, []),
    "6 required not set": ("required", None, None, 2, ["foo is required"]),
    "7 default of the wrong type": (
        "default-wrong-type",
        None,
        None,
        2,
        ["foo: Invalid type. Expected: string, given: integer"],
    ),
    "8 default too long": (
        "default-too-long",
        None,
        None,
        2,
        ["foo: String length must be less than or equal to 3"],
    ),
    "9 default too short": (
        "default-too-short",
        None,
        None,
        2,
        ["foo: String length must be greater than or equal to 50"],
    ),
    "10 default not in enum": (
        "enum",
        None,
        None,
        2,
        ['foo: foo must be one of the following: "bar", "baz"'],
    ),
    "11 default not the constant": ("const", None, None, 2, ['foo: foo does not match: "bar"']),
    "12 config of the wrong type": (
        "string",
        {"foo": 1},
        None,
        2,
        ["foo: Invalid type. Expected: string, given: integer"],
    ),
    "15 two errors": (
        "two",
        {"foo": "this is too long", "bar": 3.14},
        None,
        2,
        [
            "bar: Invalid type. Expected: integer, given: number",
            "foo: String length must be less than or equal to 3",
        ],
    ),
    "17 float from config": ("any", {"foo": 3.14}, {"foo": 3.14}, 0, []),
    "19 boolean from config": ("any", {"foo": True}, {"foo": True}, 0, []),
    "21 object from config": ("any", {"foo": {"bar": "baz"}}, {"foo": {"bar": "baz"}}, 0, []),
    "22 array from config": ("any", {"foo": ["a", "b", "c"]}, {"foo": ["a", "b", "c"]}, 0, []),
    "23 null from config": ("any", {"foo": None}, {"foo": None}, 0, []),
}


@pytest.mark.parametrize("scenario", CONFIG_SCENARIOS)
def test_policy_config(tmp_path, scenario):
    schema, given, expected, code, messages = CONFIG_SCENARIOS[scenario]
    stack = {"schema": schema, "expect": json.dumps(expected)}
    got, report = check(tmp_path, "config", stack, None if given is None else _both(given))
    assert got == code, report
    if code == 0:
        assert report["violations"] == []
    else:
        shown = [(e["path"].rsplit(": ", 1)[-1], e["message"]) for e in report["errors"]]
        assert shown == sorted((p, m) for m in messages for p in BOTH)


def test_initial_config_and_its_override(tmp_path):
    initial = {"schema": "string", "initial": "true", "expect": '{"foo": "hello world"}'}
    assert check(tmp_path, "config", initial)[0] == 0
    overridden = {**initial, "expect": '{"foo": "overridden"}'}
    code, report = check(
        tmp_path, "config", overridden, {"resource-validation": {"foo": "overridden"}}
    )
    assert code == 0, report


def test_unknown_values_are_advisory_with_the_packs_message(tmp_path):
    code, report = check(tmp_path, "unknown")
    assert code == 0  # as the engine: the preview succeeds
    pack = "from policy pack 'unknown-values-policy@v0.0.1' during preview"
    assert [
        (v["enforcementLevel"], v["message"], v["urn"].split("::")[-1])
        for v in report["violations"]
    ] == [
        (
            "advisory",
            f"can't run policy 'unknown-values-resource-validation' {pack}: "
            "string value at .prefix can't be known during preview",
            "pet",
        ),
        (
            "advisory",
            f"can't run policy 'unknown-values-stack-validation' {pack}: "
            "string value at .prefix can't be known during preview",
            "policy-scenarios-engine",
        ),
    ]
    assert all(v["unevaluated"] for v in report["violations"])


@pytest.mark.parametrize("level,code", [("mandatory", 1), ("remediate", 1), ("advisory", 0)])
def test_strict_fails_on_an_unevaluated_gate(tmp_path, level, code):
    got, report = check(tmp_path, "unknown", {"level": level}, None, "--strict")
    assert got == code
    assert report["unevaluatedMandatory"] == (2 if code else 0)


def test_remediation_runs_before_analysis(tmp_path):
    code, report = check(tmp_path, "remediate")
    assert code == 0, report["violations"]
    assert [r["policy"] for r in report["remediations"]] == ["fixup"]
    assert report["remediations"][0]["urn"].endswith("::a")


def test_stack_violations_levels_and_urns(tmp_path):
    code, report = check(tmp_path, "stack")
    assert code == 1
    got = {v["policy"]: (v["enforcementLevel"], v["urn"]) for v in report["violations"]}
    # A remediate-level stack policy counts as mandatory (validate_stack scenario 10).
    assert got["dynamic-no-value-original"][0] == "mandatory"
    assert got["dynamic-no-value-original"][1].endswith("pulumi-nodejs:dynamic:Resource::a")
    # A URN that names no resource of the stack is the stack's; none at all is the stack's too.
    assert got["bogus-urn"] == ("advisory", STACK_URN)
    assert got["randomuuid-no-keepers"] == ("mandatory", STACK_URN)


@pytest.mark.parametrize("keepers,code", [(False, 1), (True, 0)])
def test_resource_violation_is_the_analyzed_resources(tmp_path, keepers, code):
    got, report = check(tmp_path, "resource", {"keepers": keepers})
    assert got == code
    if code:
        [violation] = report["violations"]
        assert violation["policy"] == "randomuuid-no-keepers"
        assert violation["message"] == "RandomUuid must not have an empty 'keepers'."
        assert violation["urn"].endswith("random:index/randomUuid:RandomUuid::r1")


def test_runtime_data_options_providers_tags_and_large_config(tmp_path):
    """Config over 128 KiB (once the whole config went into one environment variable) reaches
    the program and the pack; tags, options, providers, parents and stack outputs arrive as the
    engine passes them (the pack reports each mismatch)."""
    big = "x" * (300 * 1024)
    config = {
        "aConfigValue": "this value is a value",
        "random:seed": "42",
        "big": big,
        "bigLength": len(big),
    }
    code, report = check(
        tmp_path, "runtime", config, None, "--tag", "foo=bar", "--tag", "hello=world"
    )
    assert report["violations"] == [] and code == 0


@pytest.mark.parametrize("state", [1, 2])
def test_validate_resource_violations(tmp_path, state):
    code, report = check(tmp_path, "validate", {"state": state})
    assert code == 1
    assert [
        (v["policy"], v["message"], v["urn"].split("::")[-1]) for v in report["violations"]
    ] == [
        (f"dynamic-no-state-with-value-{state}", f"'state' must not have the value {state}.", "a")
    ]


def test_messages_over_four_megabytes(tmp_path):
    code, report = check(tmp_path, "validate", {"hugeBytes": 5 * 1024 * 1024})
    assert (code, report["violations"]) == (0, [])
