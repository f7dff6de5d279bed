"""extraManifests: secret material refused in every kind, found by its structure and never shown;
each object checked against the Kubernetes schema of the cluster's version, with its index and
field path."""

import base64
import json

import pytest

from tests.support import pki, prod_stack

AT = "config.azureml-k8s:extraManifests"
KEY = pki.server(("x.example.com",)).key
CERT = pki.server(("x.example.com",)).cert
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "c", "cluster": {"server": "https://k8s.example.com"}}],
    "users": [{"name": "u", "user": {"token": "abcdefghijklmnopqrstuvwxyz012345"}}],
    "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
}
JWT = ".".join(
    base64.urlsafe_b64encode(part).decode().rstrip("=")
    for part in (b'{"alg":"RS256","typ":"JWT"}', b'{"sub":"someone"}', b"signature-bytes")
)


def _with(*manifests, version=None) -> dict:
    config = prod_stack.config()
    config["azureml-k8s:extraManifests"] += list(manifests)
    if version:
        config["azureml-k8s:cluster"]["kubernetesVersion"] = version
    return config


def _configmap(data: dict, field: str = "data") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, field: data}


@pytest.mark.parametrize(
    ("manifest", "path", "what"),
    [
        (_configmap({"tls.key": KEY}), "[2].data.tls.key", "a PEM private key"),
        (
            _configmap({"kubeconfig": json.dumps(KUBECONFIG)}),
            "[2].data.kubeconfig",
            "a kubeconfig with credentials",
        ),
        (
            _configmap(
                {
                    "config": "\n".join(
                        [
                            "apiVersion: v1",
                            "kind: Config",
                            "users:",
                            "- name: u",
                            "  user: {password: hunter2hunter2}",
                        ]
                    )
                }
            ),
            "[2].data.config",
            "a kubeconfig with credentials",
        ),
        (_configmap({"auth": f"Bearer {JWT}"}), "[2].data.auth", "a token (JWT)"),
        (
            _configmap(
                {
                    "storage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0c2VjcmV0"
                }
            ),
            "[2].data.storage",
            "an Azure key or SAS signature",
        ),
        (
            _configmap({"key": base64.b64encode(KEY.encode()).decode()}, "binaryData"),
            "[2].binaryData.key",
            "a PEM private key (base64)",
        ),
        (
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "d", "annotations": {"creds": json.dumps(KUBECONFIG)}},
                "spec": {},
            },
            "[2].metadata.annotations.creds",
            "a kubeconfig with credentials",
        ),
    ],
    ids=[
        "pem",
        "kubeconfig-json",
        "kubeconfig-yaml",
        "jwt",
        "account-key",
        "base64-pem",
        "annotation",
    ],
)
def test_secret_material_is_refused_in_every_kind_and_never_shown(manifest, path, what):
    errors = prod_stack.errors(_with(manifest))
    message = dict(errors)[f"{AT}{path}"]
    assert message.startswith(f"holds {what}:")
    for secret in (
        KEY.splitlines()[1],
        "hunter2hunter2",
        JWT,
        "c2VjcmV0c2VjcmV0",
        "abcdefghijklmnopqrstuvwxyz012345",
    ):
        assert all(secret not in m for _, m in errors)


@pytest.mark.parametrize(
    "data",
    [
        {"tls.crt": CERT},  # a certificate is public
        {"note": "rotate the PRIVATE KEY and the token every week"},  # words, not material
        {"kind": "apiVersion: v1\nkind: Config\nusers: [{name: u, user: {}}]"},  # no credentials
        {"sas": "https://a.blob.core.windows.net/c?sv=2022-11-02"},  # a URL with no signature
    ],
    ids=["certificate", "words", "kubeconfig-without-credentials", "url-without-sig"],
)
def test_what_only_looks_like_a_secret_passes(data):
    prod_stack.parse(_with(_configmap(data)))


@pytest.mark.parametrize(
    ("manifest", "path", "fragment"),
    [
        (
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "d"},
                "spec": {"replicas": "three", "selector": {}, "template": {}},
            },
            "[2].spec.replicas",
            "'three' is not of type 'integer'",
        ),
        (
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "cm"},
                "dat": {"a": "b"},
            },
            "[2]",
            "('dat' was unexpected)",
        ),
        (
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "n", "labels": {"a": 1}},
            },
            "[2].metadata.labels.a",
            "is not of type 'string'",
        ),
    ],
    ids=["wrong-type", "misspelt-field", "label-not-a-string"],
)
def test_manifests_are_checked_against_the_clusters_kubernetes_version(manifest, path, fragment):
    errors = dict(prod_stack.errors(_with(manifest, version="1.30.3")))
    assert fragment in errors[f"{AT}{path}"]
    assert "Kubernetes 1.30 schema of" in errors[f"{AT}{path}"]


def test_a_custom_resource_is_left_to_its_crd():
    custom = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"any": 1},
    }
    prod_stack.parse(_with(custom))


def test_a_version_outside_the_shipped_schemas_uses_the_nearest():
    # The newest schema the validator ships stands in for a newer cluster.
    ok = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}
    prod_stack.parse(_with(ok, version="1.99.0"))


@pytest.mark.process
@pytest.mark.parametrize("output", ["json", "markdown"])
def test_a_preview_never_prints_the_key(tmp_path, output):
    config = _with(_configmap({"tls.key": KEY}))
    pair = pki.server((prod_stack.CNAME,))
    stack = prod_stack.write(tmp_path / "Pulumi.prod.yaml", config, pair.cert, pair.key)
    done = prod_stack.preflight("preview", "--config", str(stack), "--format", output)
    assert done.returncode == 2
    assert "extraManifests[2].data.tls.key: holds a PEM private key" in done.stderr
    for line in KEY.splitlines()[1:-1]:
        assert line not in done.stdout + done.stderr
