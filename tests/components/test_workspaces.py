"""Several workspaces on one cluster: an attach per compute into its own workspace, a Trusted
Access binding and the identity's roles per workspace, the namespaces made before the attaches,
endpoints in their compute's workspace and both workspaces' hosts in the egress rules."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from catalog import roles
from tests.conftest import ROOT, plan_of, run_preflight

pytestmark = pytest.mark.process

FIXTURE = ROOT / "tests" / "fixtures" / "Pulumi.two-workspaces.yaml"
ML = "azure-native:machinelearningservices:"


def of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resources"] if r["type"] == type_]


@pytest.fixture(scope="module")
def plan() -> dict:
    return plan_of(FIXTURE)


def test_each_compute_attaches_to_its_workspace_through_its_namespace(plan):
    attaches = {
        r["inputs"]["computeName"]: (r["inputs"]["workspaceName"], r["inputs"]["resourceGroupName"])
        for r in of_type(plan, ML + "Compute")
    }
    assert attaches == {
        "k8s-fraud-score": ("mlw-fraud", "rg-ml-fraud"),
        "k8s-fraud-train": ("mlw-fraud", "rg-ml-fraud"),
        "k8s-recs": ("mlw-recs", "rg-ml-recs"),
    }
    namespaces = {
        r["inputs"]["metadata"]["name"]: r for r in of_type(plan, "kubernetes:core/v1:Namespace")
    }
    assert set(namespaces) == {"fraud-scoring", "fraud-training", "recs"}
    for attach in of_type(plan, ML + "Compute"):
        namespace = attach["inputs"]["properties"]["properties"]["namespace"]
        assert namespaces[namespace]["urn"] in attach["dependencies"]  # made before the attach


def test_a_binding_and_the_roles_per_workspace_before_its_attaches(plan):
    bindings = of_type(plan, "azure-native:containerservice:TrustedAccessRoleBinding")
    assert sorted(b["inputs"]["sourceResourceId"].rsplit("/", 1)[-1] for b in bindings) == [
        "mlw-fraud",
        "mlw-recs",
    ]
    assert len({b["inputs"]["trustedAccessRoleBindingName"] for b in bindings}) == 2
    grants = Counter()
    by_principal: dict[str, set[str]] = {}
    for assignment in of_type(plan, "azure-native:authorization:RoleAssignment"):
        principal = assignment["inputs"]["principalId"]
        if principal.startswith(("1111", "2222")):
            role = assignment["inputs"]["roleDefinitionId"].rsplit("/", 1)[-1]
            by_principal.setdefault(principal, set()).add(role)
            grants[principal] += 1
            assert assignment["inputs"]["scope"].endswith("/managedClusters/mlshared")
            assert assignment["inputs"]["principalType"] == "ServicePrincipal"
    expected = set(roles.attach_roles("aks", trusted_access=True).values())
    assert by_principal == {
        "11111111-1111-1111-1111-111111111111": expected,
        "22222222-2222-2222-2222-222222222222": expected,
    }
    recs = next(
        r for r in of_type(plan, ML + "Compute") if r["inputs"]["computeName"] == "k8s-recs"
    )
    recs_roles = [
        a["urn"]
        for a in of_type(plan, "azure-native:authorization:RoleAssignment")
        if a["inputs"]["principalId"].startswith("2222")
    ]
    assert set(recs_roles) <= set(recs["dependencies"])
    fraud_roles = [
        a["urn"]
        for a in of_type(plan, "azure-native:authorization:RoleAssignment")
        if a["inputs"]["principalId"].startswith("1111")
    ]
    assert not set(fraud_roles) & set(recs["dependencies"])  # only its own workspace's


def test_endpoints_land_in_their_computes_workspace(plan):
    endpoints = {
        r["inputs"]["endpointName"]: r["inputs"]["workspaceName"]
        for r in of_type(plan, ML + "OnlineEndpoint")
    }
    assert endpoints == {"fraud-score": "mlw-fraud", "recs-rank": "mlw-recs"}
    deployments = {
        r["inputs"]["endpointName"]: r["inputs"]["workspaceName"]
        for r in of_type(plan, ML + "OnlineDeployment")
    }
    assert deployments == endpoints


def test_both_workspaces_hosts_are_in_the_egress_rules(plan):
    hosts = {rule["host"] for rule in plan["outputs"]["egressRules"]}
    for name in ("mlwfraudstore.blob.core.windows.net", "mlwrecsstore.blob.core.windows.net"):
        assert name in hosts
    for name in ("mlwfraudacr.azurecr.io", "mlwrecsacr.azurecr.io"):
        assert name in hosts
    assert not [h for h in hosts if "<account>" in h or "<acr>" in h]
    listed = run_preflight("hosts", "--config", str(FIXTURE), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert {r["host"] for r in json.loads(listed.stdout)} == hosts


def test_the_gate_passes_it():
    result = run_preflight("check", "--config", str(FIXTURE), "--format", "json")
    report = json.loads(result.stdout)
    assert (result.returncode, report["violations"], report["errors"]) == (0, [], []), report


def test_a_system_assigned_workspace_gets_no_role_assignments(stack_file):
    config = yaml.safe_load(FIXTURE.read_text())["config"]
    for workspace in config["azureml-k8s:workspaces"]:
        del workspace["principalId"]
    plan = plan_of(stack_file(config))
    assignments = of_type(plan, "azure-native:authorization:RoleAssignment")
    assert all(not a["name"].startswith("azureml-compute-") for a in assignments), assignments
    assert len(of_type(plan, "azure-native:containerservice:TrustedAccessRoleBinding")) == 2
