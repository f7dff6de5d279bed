"""common.secrets in-process: secret material found by its structure (PEM private keys,
kubeconfigs with credentials in YAML or JSON, JWTs, Azure keys and SAS signatures, base64 of any
of them), never by a word in the text; findings name the path, never the value."""

import base64
import json

import pytest

from common import secrets

KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUd\n-----END CERTIFICATE-----\n"
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "c", "cluster": {"server": "https://c.example:443"}}],
    "users": [{"name": "u", "user": {"token": "kubeconfig-token-value"}}],
}
JWT_HEADER = base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT"}').decode().rstrip("=")
JWT = f"{JWT_HEADER}.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    "text,kind",
    [
        (KEY, "a PEM private key"),
        (KEY.replace("PRIVATE KEY", "RSA PRIVATE KEY"), "a PEM private key"),
        (KEY.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), "a PEM private key"),
        (json.dumps(KUBECONFIG), "a kubeconfig with credentials"),  # JSON is a kubeconfig format
        (
            "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: abc}\n",
            "a kubeconfig with credentials",
        ),
        (JWT, "a token (JWT)"),
        (
            "DefaultEndpointsProtocol=https;AccountKey=abcdEFGH1234==",
            "an Azure key or SAS signature",
        ),
        (
            "https://a.blob.core.windows.net/c?sv=2022&sig=abcdefghijklmnop1234",
            "an Azure key or SAS",
        ),
        (base64.b64encode(KEY.encode()).decode(), "a PEM private key (base64)"),
    ],
)
def test_secret_material_by_its_structure(text, kind):
    assert (secrets.kind_of(text) or "").startswith(kind)


@pytest.mark.parametrize(
    "text",
    [
        CERT,  # a certificate is public
        "this text says ENCRYPTED and PRIVATE KEY but is no key",
        "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {}\n",  # no credentials
        "eyJub3QiOiJhIGhlYWRlciJ9.eyJ4IjoxfQ.c2ln",  # base64url parts, no "alg"
        "hello world",
        base64.b64encode(b"x" * 60).decode(),
    ],
)
def test_what_is_not_secret_material(text):
    assert secrets.kind_of(text) is None


def test_find_names_paths_never_values():
    document = {
        "ok": "plain",
        "list": ["x", {"nested": KEY}],
        KEY: "a key as a key",
        "cfg": KUBECONFIG,
    }
    found = list(secrets.find(document))
    assert sorted(found) == sorted(
        [
            (("cfg",), "a kubeconfig with credentials"),
            (("list", 1, "nested"), "a PEM private key"),
            ((KEY,), "a PEM private key (in a key)"),
        ]
    )
    assert all("MIIEvQIBADAN" not in what for _, what in found)


def test_a_huge_text_is_not_parsed_but_still_scanned():
    huge = "apiVersion: v1\nkind: Config\n" + "# padding\n" * (secrets.MAX_PARSED // 10)
    assert secrets.kind_of(huge) is None
    assert secrets.kind_of(huge + KEY) == "a PEM private key"
