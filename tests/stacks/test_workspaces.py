"""The workspaces form in the settings: which compute attaches where, what the stack creates for
it, and every mistake named with its key and fix."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from stacks.settings import SettingsError, parse
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "Pulumi.two-workspaces.yaml"
WS, COMPUTES = "azureml-k8s:workspaces", "azureml-k8s:computes"
OTHER_SUBSCRIPTION = "11111111-1111-1111-1111-111111111111"


def config() -> dict:
    return copy.deepcopy(yaml.safe_load(FIXTURE.read_text())["config"])


def flat(values: dict) -> dict[str, str]:
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in values.items()}


def settings_of(values: dict):
    return parse(flat(values), set(), "Pulumi.t.yaml", ROOT)


def errors_of(values: dict) -> list[tuple[str, str]]:
    with pytest.raises(SettingsError) as caught:
        settings_of(values)
    return caught.value.errors


def test_computes_find_their_workspaces():
    settings = settings_of(config())
    found = {c.name: settings.workspace_of(c).workspace_name for c in settings.computes}
    assert found == {
        "k8s-fraud-score": "mlw-fraud",
        "k8s-fraud-train": "mlw-fraud",
        "k8s-recs": "mlw-recs",
    }
    assert [w.local_name for w in settings.attached_workspaces()] == ["fraud", "recs"]
    assert settings.namespaces_to_create() == ["fraud-scoring", "fraud-training", "recs"]


def test_namespaces_default_declared_or_existing_are_not_created():
    values = config()
    values[COMPUTES][0]["namespace"] = "default"
    values[COMPUTES][1]["createNamespace"] = False
    values["azureml-k8s:extraManifests"] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "recs"}}
    ]
    assert settings_of(values).namespaces_to_create() == []


def test_the_single_form_still_works_and_keeps_its_workspace():
    values = yaml.safe_load((ROOT / "tests/fixtures/Pulumi.difftest.yaml").read_text())["config"]
    settings = settings_of(values)
    assert [w.local_name for w in settings.attached_workspaces()] == [None]
    assert all(settings.workspace_of(c) is settings.workspace for c in settings.computes)


def mutated(change) -> dict:
    values = config()
    change(values)
    return values


def _other_subscription(values: dict) -> None:
    ws = values[WS][1]
    ws["id"] = ws["id"].replace("00000000-0000-0000-0000-000000000000", OTHER_SUBSCRIPTION)


@pytest.mark.parametrize(
    "change,path,fragment",
    [
        (
            lambda v: v.update({"azureml-k8s:workspace": {"id": v[WS][0]["id"]}}),
            "config.azureml-k8s:workspaces",
            "workspace and workspaces are the same setting in two forms",
        ),
        (
            lambda v: v[COMPUTES][2].pop("workspace"),
            "config.azureml-k8s:computes[2].workspace",
            "set the workspace it attaches to: one of fraud, recs",
        ),
        (
            lambda v: v[COMPUTES][2].update({"workspace": "rec"}),
            "config.azureml-k8s:computes[2].workspace",
            "'rec' is not in workspaces[]",
        ),
        (
            lambda v: v[WS][1].update({"name": "fraud"}),
            "config.azureml-k8s:workspaces[1].name",
            "workspace names must be unique",
        ),
        (
            lambda v: v[WS][1].update(
                {"id": v[WS][0]["id"].upper().replace("/SUBSCRIPTIONS", "/subscriptions")}
            ),
            "config.azureml-k8s:workspaces[1].id",
            "workspace ids must be unique",
        ),
        (
            _other_subscription,
            "config.azureml-k8s:workspaces[1].id",
            "Azure ML attaches a cluster only to workspaces of its own subscription",
        ),
        (
            lambda v: v[WS][0].update({"principalId": "not-a-guid"}),
            "config.azureml-k8s:workspaces[0].principalId",
            "is not a principal id",
        ),
        (
            lambda v: v[WS][0].update({"name": "Fraud_Team"}),
            "config.azureml-k8s:workspaces[0].name",
            "is not a workspace name (the stack's own)",
        ),
    ],
)
def test_workspace_mistakes_are_named(change, path, fragment):
    found = errors_of(mutated(change))
    assert any(p == path and fragment in m for p, m in found), found


def test_a_compute_workspace_in_the_single_form_is_refused():
    values = yaml.safe_load((ROOT / "tests/fixtures/Pulumi.difftest.yaml").read_text())["config"]
    values[COMPUTES][0]["workspace"] = "fraud"
    found = errors_of(values)
    assert any(
        p == "config.azureml-k8s:computes[0].workspace" and "the stack has one workspace" in m
        for p, m in found
    ), found


def test_an_aks_cluster_in_another_subscription_is_refused_for_each_workspace():
    values = config()
    values["azure-native:subscriptionId"] = OTHER_SUBSCRIPTION
    found = errors_of(values)
    paths = [p for p, m in found if "cannot attach an AKS cluster from another subscription" in m]
    assert paths == ["config.azureml-k8s:workspaces[0].id", "config.azureml-k8s:workspaces[1].id"]
    assert all("cross-subscription attach is not supported" in m for _, m in found)


def _with_endpoints(count: int, deployments_each: int = 1) -> dict:
    values = config()
    values["azureml-k8s:cluster"]["nodePools"][1]["maxCount"] = 30  # room for every replica
    values["azureml-k8s:endpoints"] = [
        {
            "name": f"score-{i:03d}",
            "compute": "k8s-recs",
            "deployments": [
                {
                    "name": f"d{j:02d}",
                    "model": "azureml:m:1",
                    "instanceType": "cpu-small",
                    "traffic": 100 if j == 0 else 0,
                }
                for j in range(deployments_each)
            ],
        }
        for i in range(count)
    ]
    return values


def test_the_documented_limits_with_their_source():
    found = errors_of(_with_endpoints(61))
    [(path, message)] = [e for e in found if "endpoints on one cluster" in e[1]]
    assert path == "config.azureml-k8s:endpoints" and "takes 60, with no exception" in message
    assert "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas" in message
    found = errors_of(_with_endpoints(1, deployments_each=21))
    assert any(
        p == "config.azureml-k8s:endpoints[0].deployments" and "an online endpoint takes 20" in m
        for p, m in found
    ), found
    found = errors_of(_with_endpoints(6, deployments_each=17))
    assert any("102 deployments on one cluster" in m for _, m in found), found
    # At the limits themselves: no error about them.
    assert settings_of(_with_endpoints(5, deployments_each=20)).endpoints


def test_more_workspaces_than_trusted_access_bindings_is_refused():
    values = config()
    base = values[WS][0]
    values[WS] = [
        {**base, "name": f"ws-{i}", "id": base["id"].replace("mlw-fraud", f"mlw-{i}")}
        for i in range(9)
    ]
    values[COMPUTES] = [{**c, "workspace": "ws-0"} for c in values[COMPUTES]]
    values.pop("azureml-k8s:endpoints")
    found = errors_of(values)
    assert any(
        p == "config.azureml-k8s:workspaces" and "an AKS cluster takes 8" in m for p, m in found
    ), found
