"""TLS: the PEM pair checked before anything is created (from secret config and from files), the
tls settings rules, and the Tls component (Secret, self-signed) as the plan shows it."""

import json
from datetime import timedelta

import pytest
from pydantic import SecretStr

from catalog import tls as catalog_tls
from catalog.tokens import PREVIEW_SECRET_PLACEHOLDER
from stacks import settings as stack_settings
from stacks.settings.pem import with_pem_files
from tests.conftest import plan_of, resource
from tests.support import pki

FILE = "Pulumi.test.yaml"
CNAME = "scoring.ml.contoso.com"
SECRETS = {"azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"}


def values(cert: str, key: str, environment: str = "test", **extension) -> dict:
    return {
        "azure-native:location": "westeurope",
        "azureml-k8s:environment": environment,
        "azureml-k8s:cluster": json.dumps(
            {
                "kind": "aks",
                "name": "mltls",
                "nodePools": [
                    {"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"}
                ],
            }
        ),
        "azureml-k8s:extension": json.dumps(
            {
                "enableInference": True,
                "inferenceRouterServiceType": "loadBalancer",
                "sslCname": CNAME,
                "sslSecret": "azureml-fe-tls",
                **extension,
            }
        ),
        "azureml-k8s:tls": json.dumps({"source": "secretConfig"}),
        "azureml-k8s:sslCertPem": cert,
        "azureml-k8s:sslKeyPem": key,
    }


def parse(cert: str, key: str, **kw):
    warnings: list = []
    parsed = stack_settings.parse(values(cert, key, **kw), SECRETS, FILE, warnings=warnings)
    return parsed, warnings


def errors(cert: str, key: str, **kw) -> list[tuple[str, str]]:
    with pytest.raises(stack_settings.SettingsError) as info:
        parse(cert, key, **kw)
    report = str(info.value)
    # The report never quotes the PEM text.
    for line in (cert + key).splitlines():
        if line and not line.startswith("-----"):
            assert line not in report
    return info.value.errors


def test_a_good_pair_validates_with_no_warning():
    pair = pki.server((CNAME,))
    parsed, warnings = parse(pair.cert, pair.key)
    assert parsed.sslCertPem.get_secret_value() == pair.cert
    assert warnings == []


@pytest.mark.parametrize("kind", ["ec256", "ec384", "rsa2048"])
def test_accepted_key_types(kind):
    pair = pki.server((CNAME,), kind=kind)
    assert parse(pair.cert, pair.key)[1] == []


CERT = "config.azureml-k8s:sslCertPem"
KEY = "config.azureml-k8s:sslKeyPem"


@pytest.mark.parametrize(
    "pair,path,fragment",
    [
        (pki.server((CNAME,), key_kind="other"), KEY, "does not match the certificate"),
        (pki.server((CNAME,), days_left=-1), CERT, "expired on"),
        (pki.server((CNAME,), starts_in_days=2), CERT, "not valid before"),
        (pki.server(("api.contoso.com",)), CERT, "does not cover sslCname"),
        (pki.server(("*.contoso.com",)), CERT, "does not cover sslCname"),  # one label only
        (pki.server(()), CERT, "no DNS names (clients ignore the subject CN)"),
        (pki.server((CNAME,), chain_order="ca-first"), CERT, "certificate 2 of the chain"),
        (pki.server((CNAME,), kind="rsa1024"), KEY, "1024 bits is too weak"),
        (pki.server((CNAME,), kind="ec521"), KEY, "secp521r1 is not accepted"),
    ],
    ids=[
        "mismatched-key",
        "expired",
        "not-yet-valid",
        "other-name",
        "wildcard-too-deep",
        "no-san",
        "chain-out-of-order",
        "rsa-1024",
        "ec-p521",
    ],
)
def test_each_bad_pair_is_a_settings_error_naming_the_key(pair, path, fragment):
    found = errors(pair.cert, pair.key)
    assert any(p == path and fragment in m for p, m in found), found


def test_a_passphrase_protected_key_is_refused():
    pair = pki.server((CNAME,))
    protected = pki.key_pem(pki.key("ec256"), passphrase=b"hunter2")
    found = errors(pair.cert, protected)
    assert [p for p, _ in found] == [KEY]
    assert "passphrase" in found[0][1] and "openssl pkey" in found[0][1]


def test_garbage_is_named_not_quoted():
    found = errors("not a certificate", "not a key either")
    assert any(p == CERT and "not a PEM certificate chain" in m for p, m in found)
    assert any(p == KEY and "not a PEM private key" in m for p, m in found)


def test_a_wildcard_certificate_covers_one_label():
    pair = pki.server(("*.ml.contoso.com",))
    assert parse(pair.cert, pair.key)[1] == []


def test_expiry_within_30_days_is_a_warning():
    pair = pki.server((CNAME,), days_left=10)
    _, warnings = parse(pair.cert, pair.key)
    assert len(warnings) == 1
    path, message = warnings[0]
    assert path == CERT and "expires in" in message and "renew" in message


def test_the_preflight_placeholder_skips_the_content_checks_only():
    parsed, warnings = parse(PREVIEW_SECRET_PLACEHOLDER, PREVIEW_SECRET_PLACEHOLDER)
    assert warnings == [] and parsed.tls.source == "secretConfig"
    # The settings rules still apply: selfSigned may not take a PEM pair.
    bad = values(PREVIEW_SECRET_PLACEHOLDER, PREVIEW_SECRET_PLACEHOLDER)
    bad["azureml-k8s:tls"] = json.dumps({"source": "selfSigned"})
    with pytest.raises(stack_settings.SettingsError) as info:
        stack_settings.parse(bad, SECRETS, FILE)
    assert any(p == CERT and "makes its own certificate" in m for p, m in info.value.errors)


def test_pem_files_are_checked_alike(tmp_path):
    pair = pki.server(("api.contoso.com",))
    (tmp_path / "cert.pem").write_text(pair.cert)
    (tmp_path / "key.pem").write_text(pki.key_pem(pki.key("other")))
    config = values("", "")
    for key in ("azureml-k8s:tls", "azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"):
        del config[key]
    extension = json.loads(config["azureml-k8s:extension"])
    del extension["sslSecret"]
    extension.update(sslCertPemFile="cert.pem", sslKeyPemFile="key.pem")
    config["azureml-k8s:extension"] = json.dumps(extension)
    with pytest.raises(stack_settings.SettingsError) as info:
        stack_settings.parse(config, set(), FILE, project_dir=tmp_path)
    found = info.value.errors
    assert any(
        p == "config.azureml-k8s:extension.sslKeyPemFile" and "does not match" in m
        for p, m in found
    )
    assert any(
        p == "config.azureml-k8s:extension.sslCertPemFile" and "does not cover" in m
        for p, m in found
    )


def test_validity_is_judged_at_the_given_time(tmp_path):
    pair = pki.server((CNAME,), days_left=40, now=pki.NOW)
    parsed, _ = parse(PREVIEW_SECRET_PLACEHOLDER, PREVIEW_SECRET_PLACEHOLDER)
    parsed = parsed.model_copy(
        update={"sslCertPem": SecretStr(pair.cert), "sslKeyPem": SecretStr(pair.key)}
    )
    assert with_pem_files(parsed, tmp_path, now=pki.NOW).warnings == []
    later = with_pem_files(parsed, tmp_path, now=pki.NOW + timedelta(days=20))
    assert [path for path, _ in later.warnings] == [("sslCertPem",)]
    expired = with_pem_files(parsed, tmp_path, now=pki.NOW + timedelta(days=41))
    assert [path for path, _ in expired.problems] == [("sslCertPem",)]


@pytest.mark.parametrize(
    "pattern,host,expected",
    [
        ("scoring.ml.contoso.com", "SCORING.ml.contoso.com", True),
        ("*.ml.contoso.com", "scoring.ml.contoso.com", True),
        ("*.ml.contoso.com", "ml.contoso.com", False),
        ("*.ml.contoso.com", "a.scoring.ml.contoso.com", False),
        ("s*.ml.contoso.com", "scoring.ml.contoso.com", False),
        ("*.com", "contoso.com", False),
        ("scoring.ml.contoso.com.", "scoring.ml.contoso.com", True),
    ],
)
def test_host_matching_as_tls_clients_do(pattern, host, expected):
    assert catalog_tls.host_matches(pattern, host) is expected


# Settings rules ------------------------------------------------------------------------------


def rule_errors(config: dict, secrets=SECRETS) -> list[tuple[str, str]]:
    with pytest.raises(stack_settings.SettingsError) as info:
        stack_settings.parse(config, secrets, FILE)
    return info.value.errors


def test_self_signed_is_refused_in_prod():
    config = values(PREVIEW_SECRET_PLACEHOLDER, PREVIEW_SECRET_PLACEHOLDER, environment="prod")
    for key in ("azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"):
        del config[key]
    config["azureml-k8s:tls"] = json.dumps({"source": "selfSigned"})
    found = rule_errors(config, set())
    assert any(p == "config.azureml-k8s:tls.source" and "dev/test" in m for p, m in found)


def test_secret_config_needs_the_pair_and_a_secret_name():
    config = values("", "")
    for key in ("azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"):
        del config[key]
    extension = json.loads(config["azureml-k8s:extension"])
    del extension["sslSecret"]
    config["azureml-k8s:extension"] = json.dumps(extension)
    found = rule_errors(config, set())
    assert any(p == CERT and "pulumi config set --secret" in m for p, m in found)
    assert any(p == "config.azureml-k8s:extension.sslSecret" for p, _ in found)


def test_tls_needs_https_inference():
    config = values(PREVIEW_SECRET_PLACEHOLDER, PREVIEW_SECRET_PLACEHOLDER)
    extension = json.loads(config["azureml-k8s:extension"])
    extension["allowInsecureConnections"] = True
    config["azureml-k8s:extension"] = json.dumps(extension)
    found = rule_errors(config)
    assert any(p == "config.azureml-k8s:tls" and "HTTPS" in m for p, m in found)


# The component, as the plan shows it ----------------------------------------------------------


def dev_stack(source: str) -> dict:
    return {
        "azure-native:location": "westeurope",
        "azureml-k8s:environment": "dev",
        "azureml-k8s:cluster": {
            "kind": "aks",
            "name": "mldev",
            "disableLocalAccounts": False,
            "nodePools": [
                {"name": "system", "vmSize": "Standard_D4s_v5", "count": 1, "mode": "System"}
            ],
        },
        "azureml-k8s:extension": {
            "enableInference": True,
            "inferenceRouterServiceType": "loadBalancer",
            "inferenceRouterHA": False,
            "sslCname": "scoring.dev.contoso.com",
            "sslSecret": "azureml-fe-tls",
        },
        "azureml-k8s:tls": {"source": source},
    }


@pytest.mark.process
def test_self_signed_makes_the_secret_the_extension_refers_to(stack_file):
    plan = plan_of(stack_file(dev_stack("selfSigned")))
    cert = resource(plan, "tls:index/selfSignedCert:SelfSignedCert")["inputs"]
    assert cert["dnsNames"] == ["scoring.dev.contoso.com"]
    assert cert["validityPeriodHours"] == catalog_tls.SELF_SIGNED_VALIDITY_HOURS
    key = resource(plan, "tls:index/privateKey:PrivateKey")["inputs"]
    assert (key["algorithm"], key["ecdsaCurve"]) == ("ECDSA", "P256")
    secret = resource(plan, "kubernetes:core/v1:Secret")
    assert secret["inputs"]["metadata"] == {"name": "azureml-fe-tls", "namespace": "azureml"}
    assert secret["inputs"]["stringData"] == "[secret]"
    namespace = resource(plan, "kubernetes:core/v1:Namespace")
    assert namespace["inputs"]["metadata"] == {"name": "azureml"}
    assert namespace["options"]["retainOnDelete"] is True
    extension = resource(plan, "azure-native:kubernetesconfiguration:Extension")
    assert extension["inputs"]["configurationSettings"]["scoringFe.sslSecret"] == "azureml-fe-tls"
    assert "configurationProtectedSettings" not in extension["inputs"]
    # azureml-fe finds the Secret on its first start: the extension waits for it.
    assert secret["urn"] in extension["dependencies"]
