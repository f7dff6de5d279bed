"""The redactor in-process: every form of every secret (raw, each line of a multi-line one,
JSON-escaped, base64 with or without padding) out of any text, overlapping ones merged, however
many secrets share a prefix; JSON documents redacted value by value, so the plan's own keys and
structure survive a secret that is also a word of them."""

import base64
import json

import pytest

from preflight.report.redaction import SECRET_TEXT, Redactor

PEM = "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\nshort\n-----END KEY-----\n"


def test_every_form_of_a_secret_is_hidden():
    redact = Redactor(["hunter22", PEM])
    for text in (
        "hunter22",
        PEM,
        json.dumps(PEM)[1:-1],
        "MIIBOgIBAAJBAKj34GkxFhD9",
        base64.b64encode(b"hunter22").decode(),
        base64.b64encode(b"hunter22").decode().rstrip("="),
        base64.b64encode(b"MIIBOgIBAAJBAKj34GkxFhD9").decode(),
    ):
        assert redact(f"<{text}>") == f"<{SECRET_TEXT}>", text


def test_short_lines_and_literals_are_left_alone():
    redact = Redactor(["true", "abc", "null", PEM])
    assert redact("true abc null short") == "true abc null short"


def test_overlapping_secrets_leave_no_fragment():
    redact = Redactor(["abcdXYZW", "XYZW1234"])
    assert redact("..abcdXYZW1234..") == f"..{SECRET_TEXT}.."
    assert redact("abcdXYZW XYZW1234") == f"{SECRET_TEXT} {SECRET_TEXT}"


def test_many_secrets_sharing_a_prefix():
    """More prefixes than str.find passes pay for, and forms that share their first 16
    characters: each found by a lookup per position and confirmed by its exact length."""
    secrets = [f"token: eyJhbGciOiJSUzI1NiJ9.{i:06d}" for i in range(5000)]
    redact = Redactor(secrets)
    text = " | ".join(secrets[::7]) + " token: eyJhbGciOiJSUzI1NiJ9.999999x"
    out = redact(text)
    assert all(secret not in out for secret in secrets)
    assert out.endswith(" token: eyJhbGciOiJSUzI1NiJ9.999999x")  # not a secret: kept


def test_a_huge_multiline_secret_is_indexed_line_by_line():
    lines = [f"line-{i:06d}-of-the-secret" for i in range(300_000)]
    redact = Redactor(["\n".join(lines)])
    text = "error at " + lines[123_456] + "; then " + lines[-1] + " and line-999999-of-the-secret"
    assert (
        redact(text) == f"error at {SECRET_TEXT}; then {SECRET_TEXT} and line-999999-of-the-secret"
    )


def test_a_json_document_keeps_its_keys_and_structure():
    redact = Redactor(["resources", "hunter22", "8443"])
    plan = {
        "resources": [
            {
                "urn": "urn:pulumi:dev::p::t:m:T::resources",
                "inputs": {"hunter22": "x", "port": 8443, "ok": True, "note": "resources!"},
            }
        ],
        "summary": {"create": 1},
    }
    text = json.dumps(plan, indent=2, sort_keys=True) + "\n"
    out = json.loads(redact.document(text))
    assert list(out) == ["resources", "summary"]  # the plan's own keys survive
    [resource] = out["resources"]
    assert resource["urn"] == f"urn:pulumi:dev::p::t:m:T::{SECRET_TEXT}"
    # Inside inputs, keys are the program's data: redacted like values; a number too.
    assert resource["inputs"] == {
        SECRET_TEXT: "x",
        "note": f"{SECRET_TEXT}!",
        "ok": True,
        "port": SECRET_TEXT,
    }
    assert "hunter22" not in redact.document(text) and "8443" not in redact.document(text)


def test_other_text_is_redacted_as_text():
    redact = Redactor(["resources"])
    compact = json.dumps({"resources": []})  # not as preflight prints JSON: text rules
    assert redact.document(compact) == f'{{"{SECRET_TEXT}": []}}'
    assert redact.document("no resources here\n") == f"no {SECRET_TEXT} here\n"


def test_strings_holding_the_separator_are_still_redacted():
    redact = Redactor(["hunter22"])
    document = {"a": "x\0hunter22", "b": ["hunter22\0"]}
    assert redact.json(document) == {"a": f"x\0{SECRET_TEXT}", "b": [f"{SECRET_TEXT}\0"]}


@pytest.mark.parametrize("secrets", [[], ["abc"], ["true", "null"]])
def test_nothing_to_hide_is_the_identity(secrets):
    redact = Redactor(secrets)
    text = json.dumps({"resources": ["abc", True, None]}, indent=2, sort_keys=True) + "\n"
    assert redact(text) == text and redact.document(text) == text
