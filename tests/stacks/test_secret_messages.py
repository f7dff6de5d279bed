"""A secure config value is never quoted back: an invalid one is named by its key and why; any
other message has secret values cut out; without a passphrase a secret subscription previews as
unknown and a secret region is refused with what to do."""

from __future__ import annotations

import json

import pytest

from catalog.tokens import PREVIEW_SECRET_PLACEHOLDER
from stacks.settings import SettingsError, parse
from tests.conftest import ROOT

SECRET = "northeuorpe-ZQX"  # an invalid region, close to a real one
BASE = {
    "azure-native:location": "westeurope",
    "azureml-k8s:environment": "dev",
    "azureml-k8s:cluster": json.dumps(
        {
            "kind": "aks",
            "name": "mldev",
            "nodePools": [
                {"name": "system", "vmSize": "Standard_D4s_v5", "count": 2, "mode": "System"}
            ],
            "disableLocalAccounts": False,
        }
    ),
    "azureml-k8s:extension": json.dumps({"enableTraining": True}),
}


def errors_of(values: dict, secrets: set[str]) -> list[tuple[str, str]]:
    with pytest.raises(SettingsError) as caught:
        parse(values, secrets, "Pulumi.t.yaml", ROOT)
    assert SECRET not in str(caught.value)
    return caught.value.errors


def test_an_invalid_secret_region_is_named_not_quoted():
    found = errors_of({**BASE, "azure-native:location": SECRET}, {"azure-native:location"})
    [(path, message)] = found
    assert path == "config.azure-native:location"
    assert "is not an Azure region" in message
    assert "northeurope" not in message  # no suggestion computed from the secret either


def test_secret_values_are_cut_from_every_other_message():
    values = {
        **BASE,
        "azure-native:subscriptionId": "11111111-1111-1111-1111-111111111111",
        "azureml-k8s:workspace": json.dumps(
            {
                "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/"
                "providers/Microsoft.MachineLearningServices/workspaces/mlw"
            }
        ),
    }
    found = errors_of(values, {"azure-native:subscriptionId"})
    messages = " ".join(m for _, m in found)
    assert "cannot attach an AKS cluster from another subscription" in messages
    assert "11111111-1111-1111-1111-111111111111" not in messages and "[secret]" in messages


def test_without_a_passphrase_a_secret_subscription_previews_as_unknown():
    warnings: list = []
    settings = parse(
        {**BASE, "azure-native:subscriptionId": PREVIEW_SECRET_PLACEHOLDER},
        {"azure-native:subscriptionId"},
        "Pulumi.t.yaml",
        ROOT,
        warnings=warnings,
    )
    assert settings.subscriptionId is None
    assert any("no passphrase is given" in m for _, m in warnings)


def test_without_a_passphrase_a_secret_region_is_refused_with_the_fix():
    found = errors_of(
        {**BASE, "azure-native:location": PREVIEW_SECRET_PLACEHOLDER}, {"azure-native:location"}
    )
    assert any(
        p == "config.azure-native:location" and "PULUMI_CONFIG_PASSPHRASE_FILE" in m
        for p, m in found
    ), found
    assert all(PREVIEW_SECRET_PLACEHOLDER not in m for _, m in found)


# Numbers, names and ids as Azure reads them: ASCII, exact -----------------------------------

ZONE = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/{rg}/providers/"
    "Microsoft.Network/dnszones/{zone}"
)


def _dns(rg: str = "rg-dns", zone: str = "contoso.com") -> dict:
    values = dict(BASE)
    values["azureml-k8s:extension"] = json.dumps(
        {
            "enableInference": True,
            "inferenceRouterServiceType": "loadBalancer",
            "allowInsecureConnections": True,
            "sslCname": "scoring.contoso.com",
        }
    )
    values["azureml-k8s:dns"] = json.dumps({"zoneId": ZONE.format(rg=rg, zone=zone)})
    return values


@pytest.mark.parametrize(
    "rg",
    ["rg dns", "rg\ndns", "a" * 1000, "rg.", "rgé"],
    ids=["space", "newline", "long", "trailing-dot", "non-ascii"],
)
def test_zone_ids_with_bad_resource_groups_are_refused(rg):
    with pytest.raises(SettingsError) as caught:
        parse(_dns(rg=rg), set(), "Pulumi.t.yaml", ROOT)
    assert any(
        p == "config.azureml-k8s:dns.zoneId" and "resource group" in m
        for p, m in caught.value.errors
    ), caught.value.errors


def test_a_zone_never_matches_through_unicode_case_folding():
    # U+212A KELVIN SIGN lower-cases to "k": its zone must not match contoso.com.
    with pytest.raises(SettingsError) as caught:
        parse(_dns(zone="\u212aontoso.com"), set(), "Pulumi.t.yaml", ROOT)
    assert any("is not a resource name (ASCII" in m for _, m in caught.value.errors), (
        caught.value.errors
    )
    assert parse(_dns(), set(), "Pulumi.t.yaml", ROOT).dns.zone == "contoso.com"


@pytest.mark.parametrize("port", ["٤٤٣", "４４３", "4_43", "+443"])
def test_extra_host_ports_are_ascii_digits(port):
    values = dict(BASE)
    values["azureml-k8s:egress"] = json.dumps({"extraHosts": [f"pypi.org:{port}"]})
    with pytest.raises(SettingsError) as caught:
        parse(values, set(), "Pulumi.t.yaml", ROOT)
    assert any("is not host:port" in m for _, m in caught.value.errors)


@pytest.mark.parametrize("value", [True, False, "1_000", "١٢", " 12"])
def test_booleans_and_odd_numerals_are_not_numbers(value):
    values = dict(BASE)
    values["azureml-k8s:computes"] = json.dumps([{"name": "k8s-dev", "namespace": "dev"}])
    values["azureml-k8s:workspace"] = json.dumps(
        {
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/"
            "providers/Microsoft.MachineLearningServices/workspaces/mlw"
        }
    )
    values["azureml-k8s:extension"] = json.dumps(
        {
            "enableInference": True,
            "inferenceRouterServiceType": "loadBalancer",
            "allowInsecureConnections": True,
        }
    )
    values["azureml-k8s:endpoints"] = json.dumps(
        [
            {
                "name": "score",
                "compute": "k8s-dev",
                "deployments": [
                    {
                        "name": "blue",
                        "model": "azureml:m:1",
                        "traffic": 100,
                        "scaleSettings": {"maxInstances": value},
                    }
                ],
            }
        ]
    )
    with pytest.raises(SettingsError) as caught:
        parse(values, set(), "Pulumi.t.yaml", ROOT)
    path = "config.azureml-k8s:endpoints[0].deployments[0].scaleSettings.maxInstances"
    assert any(p == path and "valid integer" in m for p, m in caught.value.errors), (
        caught.value.errors
    )
