"""Fleet inventories: YAML and CSV, sites deep-merged over the template, every problem named by
the inventory, the site and the key path; secrets refused; waves in order after a canary."""

from __future__ import annotations

import json

import pytest
import yaml

from stacks.settings import inventory as inv
from stacks.settings import parse, sites
from stacks.settings.errors import InventoryError
from tests.conftest import ROOT

SUB = "00000000-0000-0000-0000-000000000000"
TEMPLATE = {
    "azure-native:location": "westeurope",
    "azureml-k8s:environment": "prod",
    "azureml-k8s:cluster": {"kind": "arc", "nodeCount": 3},
    "azureml-k8s:extension": {
        "enableTraining": False,
        "enableInference": True,
        "inferenceRouterServiceType": "nodePort",
        "sslSecret": "azureml-fe-tls",
    },
    "azureml-k8s:workspace": {
        "id": f"/subscriptions/{SUB}/resourceGroups/rg/providers/"
        "Microsoft.MachineLearningServices/workspaces/mlw"
    },
}


def cluster_id(name: str) -> str:
    return (
        f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/"
        f"connectedClusters/{name}"
    )


def site(name: str, wave: str, **config) -> dict:
    return {
        "name": name,
        "wave": wave,
        "config": {
            "azureml-k8s:cluster": {"connectedClusterId": cluster_id(name)},
            "azureml-k8s:extension": {"sslCname": f"scoring.{name}.contoso.com"},
            **config,
        },
    }


def write(tmp_path, document, name="inventory.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def problems_of(tmp_path, document) -> list[tuple[str, str]]:
    with pytest.raises(InventoryError) as caught:
        inv.load(write(tmp_path, document), "fleet.yaml")
    assert caught.value.file == "fleet.yaml"
    return caught.value.errors


def site_problems(tmp_path, document) -> list[tuple[str, str]]:
    """The inventory's own problems and every site's: a bad site does not stop the others."""
    fleet = inv.load(write(tmp_path, document), "fleet.yaml")
    return fleet.problems + [p for s in fleet.sites for p in s.problems]


def test_a_site_is_the_template_with_its_own_settings_deep_merged(tmp_path):
    fleet = inv.load(
        write(tmp_path, {"template": TEMPLATE, "sites": [site("a", "canary")]}), "fleet.yaml"
    )
    [a] = fleet.sites
    cluster = a.config["azureml-k8s:cluster"]
    assert cluster == {"kind": "arc", "nodeCount": 3, "connectedClusterId": cluster_id("a")}
    assert a.config["azureml-k8s:extension"]["enableInference"] is True
    assert a.stack == "site-a" and fleet.waves == ["canary"] and not fleet.problems
    assert TEMPLATE["azureml-k8s:cluster"] == {"kind": "arc", "nodeCount": 3}  # not mutated


def test_a_site_null_removes_a_template_key():
    merged = inv.merge({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"c": None}, "d": [2]})
    assert merged == {"a": {"b": 1}, "d": [2]}


def test_every_site_validates_with_the_stack_models(tmp_path):
    fleet = inv.load(
        write(tmp_path, {"template": TEMPLATE, "sites": [site("a", "canary")]}), "fleet.yaml"
    )
    resolved = sites.resolve(fleet, fleet.sites[0], {}, "stacks/Pulumi.site-a.yaml")
    settings = parse(resolved.values, set(), resolved.file, ROOT)
    assert settings.cluster.kind == "arc" and settings.cluster.nodeCount == 3
    assert resolved.file == "fleet.yaml: site a (sites[0])"


def test_a_site_with_a_misspelt_key_is_named_by_inventory_site_and_path(tmp_path):
    bad = site("b", "canary")
    bad["config"]["azureml-k8s:extension"]["enableInferance"] = True
    fleet = inv.load(write(tmp_path, {"template": TEMPLATE, "sites": [bad]}), "fleet.yaml")
    resolved = sites.resolve(fleet, fleet.sites[0], {}, "stacks/Pulumi.site-b.yaml")
    with pytest.raises(Exception) as caught:
        parse(resolved.values, set(), resolved.file, ROOT)
    assert caught.value.file == "fleet.yaml: site b (sites[0])"
    [(path, message)] = caught.value.errors
    assert path == "config.azureml-k8s:extension.enableInferance"
    assert "enableInference" in message  # the did-you-mean


def test_secrets_never_go_into_an_inventory(tmp_path):
    found = site_problems(
        tmp_path,
        {
            "template": {**TEMPLATE, "azureml-k8s:sslKeyPem": "-----BEGIN PRIVATE KEY-----"},
            "sites": [site("a", "canary", **{"azureml-k8s:tag": {"secure": "v1:abc"}})],
        },
    )
    text = json.dumps(found)
    assert "template.azureml-k8s:sslKeyPem" in text and "pulumi config set --secret" in text
    assert "a secure value belongs in the site's own stack" in text
    assert "BEGIN PRIVATE KEY" not in text


def test_names_and_stacks_are_unique_in_any_case(tmp_path):
    found = site_problems(
        tmp_path,
        {
            "template": TEMPLATE,
            "sites": [site("a", "canary"), site("a", "canary"), site("A", "canary")],
        },
    )
    assert ("sites[1].name", "'a' is sites[0] too") in found
    assert any(p == "sites[2].name" and "only in case" in m for p, m in found)


def test_waves_start_with_a_canary_and_every_site_names_one(tmp_path):
    fleet = inv.load(
        write(
            tmp_path,
            {"template": TEMPLATE, "waves": ["stores", "canary"], "sites": [site("a", "stores")]},
        ),
        "fleet.yaml",
    )
    assert ("waves", "the first wave is 'canary', to find a bad change early") in fleet.problems
    assert ("waves", "no site is in wave 'canary'") in fleet.problems
    found = site_problems(
        tmp_path,
        {"template": TEMPLATE, "waves": ["canary"], "sites": [site("a", "canray")]},
    )
    assert ("sites[0].wave", "'canray' is not in waves") in found


def test_raised_quotas_are_whole_numbers(tmp_path):
    fleet = inv.load(
        write(
            tmp_path,
            {
                "template": TEMPLATE,
                "quotas": {"endpointsPerSubscriptionRegion": 250, "deploymentsPerRegion": 9},
                "sites": [site("a", "canary")],
            },
        ),
        "fleet.yaml",
    )
    assert fleet.quotas["endpointsPerSubscriptionRegion"] == 250
    assert fleet.quotas["deploymentsPerSubscriptionRegion"] == 500
    assert any(p == "quotas.deploymentsPerRegion" for p, _ in fleet.problems)


def test_a_csv_inventory_names_dotted_key_paths(tmp_path):
    (tmp_path / "stores.csv").write_text(
        "name,wave,azureml-k8s:cluster.connectedClusterId,azureml-k8s:cluster.nodeCount,"
        "extension.sslCname\n"
        f"a,canary,{cluster_id('a')},5,scoring.a.contoso.com\n"
        f"b,stores,{cluster_id('b')},,scoring.b.contoso.com\n"
    )
    fleet = inv.load(
        write(tmp_path, {"template": TEMPLATE, "sites": "stores.csv"}), "fleet/inventory.yaml"
    )
    a, b = fleet.sites
    assert a.config["azureml-k8s:cluster"]["nodeCount"] == 5  # a YAML number, not "5"
    assert b.config["azureml-k8s:cluster"]["nodeCount"] == 3  # an empty cell inherits
    assert b.config["azureml-k8s:extension"]["sslCname"] == "scoring.b.contoso.com"
    assert (a.where, b.where) == ("line 2", "line 3") and fleet.waves == ["canary", "stores"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name;wave\na;canary\n", "separated by ';'"),
        ("name,wave,cluster.nodeCount,cluster\na,canary,3,{}\n", "also set, in part"),
        ("name,wave,cluster[0]\n", "not a key path"),
        ("name,wave\na,canary,extra\n", "3 cells for 2 columns"),
    ],
)
def test_a_malformed_csv_says_where(tmp_path, text, expected):
    path = tmp_path / "sites.csv"
    path.write_text(text)
    with pytest.raises(InventoryError) as caught:
        inv.load(path, "sites.csv")
    assert expected in json.dumps(caught.value.errors)


def test_an_inventory_that_is_no_mapping_or_has_no_sites_is_refused(tmp_path):
    assert problems_of(tmp_path, ["a"]) == [
        ("file", "an inventory is a mapping with a `sites:` key")
    ]
    found = problems_of(tmp_path, {"template": TEMPLATE, "site": []})
    assert [p for p, _ in found] == ["site", "sites"]


def test_a_site_stack_may_hold_secrets_but_not_settings():
    merged, problems = sites.with_stack(
        {"azureml-k8s:environment": "prod", "azure-native:location": "westeurope"},
        {
            "azureml-k8s:sslKeyPem": "[secret key]",
            "azureml-k8s:environment": "dev",
            "azure-native:location": "eastus",
        },
        "stacks/Pulumi.site-a.yaml",
    )
    assert merged["azureml-k8s:sslKeyPem"] == "[secret key]"
    assert "eastus" not in str(problems)  # a value that may be secure is never quoted
    paths = [p for p, _ in problems]
    assert paths == [
        "stacks/Pulumi.site-a.yaml: config.azureml-k8s:environment",
        "stacks/Pulumi.site-a.yaml: config.azureml-k8s:environment",
        "stacks/Pulumi.site-a.yaml: config.azure-native:location",
    ]


def test_only_site_stacks_without_their_own_settings_read_the_inventory(tmp_path, monkeypatch):
    path = write(tmp_path, {"template": TEMPLATE, "sites": [site("a", "canary")]})
    monkeypatch.setenv(sites.INVENTORY_ENV, str(path))
    assert sites.site_values("prod", {}) is None
    # A site the inventory lists takes its settings from there alone.
    with pytest.raises(InventoryError) as caught:
        sites.site_values("site-a", {"azureml-k8s:environment": "dev"})
    assert "live in the inventory" in caught.value.errors[0][1]
    # A site- stack no inventory lists, with settings of its own, is an ordinary stack.
    assert sites.site_values("site-other", {"azureml-k8s:environment": "dev"}) is None
    found = sites.site_values("site-a", {})
    assert found is not None and json.loads(found.values["azureml-k8s:cluster"])["kind"] == "arc"
    with pytest.raises(InventoryError) as caught:
        sites.site_values("site-zz", {})
    assert caught.value.errors == [("sites", "no site 'zz'")]
    monkeypatch.setenv(sites.INVENTORY_ENV, str(tmp_path / "missing.yaml"))
    with pytest.raises(InventoryError) as caught:
        sites.site_values("site-a", {})
    assert sites.INVENTORY_ENV in caught.value.errors[0][1]


@pytest.mark.parametrize("wave", ["can\nary", "wave1=x", "", 3, "a" * 96])
def test_a_wave_name_is_a_plain_name(tmp_path, wave):
    """Wave names reach CI's outputs (`wave1_name=...`): a newline or '=' could forge one."""
    fleet = inv.load(
        write(tmp_path, {"template": TEMPLATE, "sites": [site("a", "canary"), site("b", wave)]}),
        "fleet.yaml",
    )
    assert fleet.sites[1].wave == "" and fleet.waves == ["canary"]
    assert fleet.sites[1].problems[0][0] == "sites[1].wave"
    found = site_problems(
        tmp_path,
        {"template": TEMPLATE, "waves": ["canary", wave], "sites": [site("a", "canary")]},
    )
    assert found  # a declared list is checked as well
