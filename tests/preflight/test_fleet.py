"""`preflight fleet check | plan`: every site of an inventory in one run, each bad site flagged with
its policy or error and no good site flagged, results equal to `preflight check` of each site's
stack, the fleet's own rules (unique clusters and names, quotas summed), the waves in order."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from preflight.program import passphrase
from tests.conftest import ROOT, run_preflight
from tests.stacks.test_inventory import TEMPLATE, site
from tests.support import pki, prod_stack

pytestmark = pytest.mark.process

COMPUTES = {"azureml-k8s:computes": [{"name": "k8s-store", "namespace": "store-ml"}]}
HPA = {
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "scorer", "namespace": "store-ml"},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "scorer"},
        "minReplicas": 1,
        "maxReplicas": 3,
    },
}


def bad_sites() -> list[dict]:
    ha = site("ha-on-two-nodes", "stores")
    ha["config"]["azureml-k8s:cluster"]["nodeCount"] = 2
    ha["config"]["azureml-k8s:extension"]["inferenceRouterHA"] = True
    cname = site("same-cname", "stores")
    cname["config"]["azureml-k8s:extension"]["sslCname"] = "scoring.good-1.contoso.com"
    cluster = site("same-cluster", "stores")
    cluster["config"]["azureml-k8s:cluster"] = site("good-2", "x")["config"]["azureml-k8s:cluster"]
    hpa = site("hpa", "stores", **{"azureml-k8s:extraManifests": [HPA]})
    typo = site("typo", "stores")
    typo["config"]["azureml-k8s:extension"]["enableInferance"] = True
    return [ha, cname, cluster, hpa, typo]


def write_fleet(tmp_path, sites, **extra) -> str:
    document = {"template": {**TEMPLATE, **COMPUTES}, **extra, "sites": sites}
    path = tmp_path / "fleet.yaml"
    plain = json.loads(json.dumps(document))  # no shared objects, so no YAML aliases
    path.write_text(yaml.safe_dump(plain, sort_keys=False))
    return str(path)


def good_sites(n: int) -> list[dict]:
    return [site(f"good-{i}", "canary" if i == 1 else "stores") for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fleet")
    inventory = write_fleet(tmp, good_sites(6) + bad_sites())
    result = run_preflight("fleet", "check", "--inventory", inventory, "--format", "json")
    return inventory, result, json.loads(result.stdout)


def test_each_bad_site_is_flagged_and_no_good_one(fleet_run):
    _, result, report = fleet_run
    codes = {s["name"]: s["exitCode"] for s in report["sites"]}
    assert {n: c for n, c in codes.items() if n.startswith("good-")} == {
        f"good-{i}": 0 for i in range(1, 7)
    }
    assert codes["hpa"] == 1  # a mandatory policy
    assert (codes["ha-on-two-nodes"], codes["typo"]) == (2, 2)  # invalid settings
    assert (codes["same-cname"], codes["same-cluster"]) == (2, 2)  # the fleet's rules
    assert result.returncode == 2 == report["summary"]["exitCode"]  # the worst site's
    assert report["summary"]["sites"] == 11 and report["summary"]["clean"] == 6


def test_each_flag_says_what_and_where(fleet_run):
    inventory, _, report = fleet_run
    by_name = {s["name"]: s for s in report["sites"]}
    [hpa] = [v for v in by_name["hpa"]["violations"] if v["enforcementLevel"] == "mandatory"]
    assert hpa["policy"] == "no-hpa-on-model-deployments"
    [typo] = by_name["typo"]["errors"]
    assert typo["path"] == (
        f"{inventory}: site typo (sites[10]): config.azureml-k8s:extension.enableInferance"
    )
    [cname] = by_name["same-cname"]["errors"]
    assert cname["path"].endswith("config.azureml-k8s:extension.sslCname")
    assert "good-1" in cname["message"]
    [cluster] = by_name["same-cluster"]["errors"]
    assert cluster["path"].endswith("config.azureml-k8s:cluster.connectedClusterId")
    assert "router-ha-needs-three-nodes" in by_name["ha-on-two-nodes"]["errors"][0]["message"]


@pytest.mark.parametrize("name", ["good-1", "hpa", "typo", "ha-on-two-nodes"])
def test_a_site_in_the_fleet_is_what_preflight_check_says_of_its_stack(fleet_run, name):
    inventory, _, report = fleet_run
    [entry] = [s for s in report["sites"] if s["name"] == name]
    alone = run_preflight(
        "check",
        "--stack",
        f"site-{name}",
        "--format",
        "json",
        env={"AZUREML_K8S_INVENTORY": inventory},
    )
    single = json.loads(alone.stdout)
    assert alone.returncode == entry["exitCode"]
    assert single["errors"] == entry["errors"]
    assert single["violations"] == entry["violations"]


def test_the_text_report_is_a_table_then_the_problems(fleet_run):
    inventory, _, _ = fleet_run
    result = run_preflight("fleet", "check", "--inventory", inventory)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["site", "wave", "exit", "status"]
    assert any(line.split()[:3] == ["good-1", "canary", "0"] for line in lines)
    assert any("no-hpa-on-model-deployments" in line for line in lines[1:12])
    assert lines[-1] == "6 of 11 sites clean; exit 2"


ENDPOINT = {
    "azureml-k8s:endpoints": [
        {
            "name": "score",
            "compute": "k8s-store",
            "authMode": "key",
            "deployments": [
                {
                    "name": "blue",
                    "model": "azureml:model:1",
                    "environment": "azureml:env:1",
                    "traffic": 100,
                }
            ],
        }
    ]
}


def test_quotas_are_summed_over_the_sites_and_can_be_raised(tmp_path):
    sites = [site(f"s{i}", "canary" if i == 1 else "stores", **ENDPOINT) for i in (1, 2, 3)]
    low = write_fleet(tmp_path, sites, quotas={"endpointsPerSubscriptionRegion": 2})
    result = run_preflight("fleet", "check", "--inventory", low, "--format", "json")
    report = json.loads(result.stdout)
    assert [s["exitCode"] for s in report["sites"]] == [0, 0, 0], result.stdout
    [violation] = report["fleet"]["violations"]
    assert (
        violation["policy"] == "fleet-quotas"
        and "3 online endpoints over 3 sites" in (violation["message"])
    )
    assert result.returncode == 1
    raised = write_fleet(tmp_path, sites, quotas={"endpointsPerSubscriptionRegion": 3})
    assert run_preflight("fleet", "check", "--inventory", raised).returncode == 0


def test_a_site_secret_comes_from_its_own_stack_and_never_shows(tmp_path):
    # The site's stack file is found in the program's stackConfigDir; here a copy of the program
    # is not needed: the secret is refused from the inventory and named, never quoted.
    inventory = write_fleet(
        tmp_path,
        [site("a", "canary", **{"azureml-k8s:sslKeyPem": "-----BEGIN PRIVATE KEY-----\nAAAA"})],
    )
    result = run_preflight("fleet", "check", "--inventory", inventory, "--format", "json")
    assert result.returncode == 2
    assert "BEGIN PRIVATE KEY" not in result.stdout + result.stderr
    assert "pulumi config set --secret" in result.stdout


def test_an_unusable_inventory_is_2_with_one_message(tmp_path):
    path = tmp_path / "fleet.yaml"
    path.write_text("sites: [\n")
    result = run_preflight("fleet", "check", "--inventory", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(path) in result.stderr
    as_json = run_preflight("fleet", "check", "--inventory", str(path), "--format", "json")
    answer = json.loads(as_json.stdout)
    assert (as_json.returncode, answer["exitCode"], answer["violations"]) == (2, 2, [])
    assert answer["errors"][0]["path"].startswith(str(path))


def test_plan_gives_the_waves_in_order_for_a_ci_matrix(tmp_path):
    sites = good_sites(5)
    inventory = write_fleet(tmp_path, sites, waves=["canary", "stores"])
    result = run_preflight(
        "fleet", "plan", "--inventory", inventory, "--format", "github-matrix", "--chunk", "3"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["waves=2", "wave1_name=canary"]
    assert json.loads(lines[2].split("=", 1)[1]) == {
        "include": [{"chunk": "1", "stacks": "site-good-1"}]
    }
    assert lines[3] == "wave2_name=stores"
    matrix = json.loads(lines[4].split("=", 1)[1])
    assert [c["stacks"] for c in matrix["include"]] == [
        "site-good-2 site-good-3 site-good-4",
        "site-good-5",
    ]


def test_plan_refuses_waves_ci_cannot_run(tmp_path):
    no_canary = write_fleet(tmp_path, [site("a", "stores")])
    result = run_preflight("fleet", "plan", "--inventory", no_canary)
    assert result.returncode == 2 and "canary" in result.stderr
    many = [site(f"s{i}", "canary") for i in range(1, 4)]
    inventory = write_fleet(tmp_path, many)
    result = run_preflight("fleet", "plan", "--inventory", inventory, "--chunk", "1")
    assert result.returncode == 0


def test_a_site_takes_its_secrets_from_its_own_stack_and_they_never_show(tmp_path):
    program = tmp_path / "program"
    (program / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, program / name)
    pair = pki.server(("scoring.a.contoso.com",))
    prod_stack.write(program / "stacks" / "Pulumi.site-a.yaml", {}, pair.cert, pair.key)
    with_pair = site("a", "canary")
    with_pair["config"]["azureml-k8s:extension"]["sslSecret"] = None  # made from the pair
    inventory = write_fleet(tmp_path, [with_pair])
    env = {passphrase.ENV: prod_stack.PHRASE, "AZUREML_K8S_INVENTORY": inventory}
    fleet = run_preflight(
        "fleet",
        "check",
        "--inventory",
        inventory,
        "--program",
        str(program),
        "--format",
        "json",
        env=env,
    )
    alone = run_preflight(
        "check", "--stack", "site-a", "--program", str(program), "--format", "json", env=env
    )
    for result in (fleet, alone):
        out = result.stdout + result.stderr
        assert result.returncode == 0, out
        assert "PRIVATE KEY" not in out and pair.key.splitlines()[1] not in out
    [entry] = json.loads(fleet.stdout)["sites"]
    assert entry["violations"] == json.loads(alone.stdout)["violations"]


def test_the_shipped_example_inventory_is_clean():
    result = run_preflight(
        "fleet", "check", "--inventory", "fleet/inventory.example.yaml", "--format", "json"
    )
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert [s["stack"] for s in report["sites"]] == [
        "site-store-001",
        "site-store-002",
        "site-store-003",
    ]


def test_plan_refuses_an_inventory_with_a_bad_site_entry(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text('name,wave,cluster.nodeCount\n"a\nb",canary,3\nok,canary,3\n')
    result = run_preflight("fleet", "plan", "--inventory", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}: line 2: name: required" in result.stderr
    assert "site-ok" not in result.stdout


def test_hosts_of_a_site_come_from_the_inventory():
    env = {"AZUREML_K8S_INVENTORY": "fleet/inventory.example.yaml"}
    result = run_preflight("hosts", "--stack", "site-store-002", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert {"arc", "inference"} <= {rule["why"] for rule in json.loads(result.stdout)}
    missing = run_preflight("hosts", "--stack", "site-nope", env=env)
    assert missing.returncode == 2 and "no site 'nope'" in missing.stderr
