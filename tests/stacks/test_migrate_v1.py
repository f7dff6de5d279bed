"""v1 AKS web service settings to v2 endpoints[]/instanceTypes[]: the mapping pinned on the seeds'
v1 examples (seeds/000 and seeds/002, `AksWebservice.deploy_configuration(...)`) and on the
Learn deploymentconfig.json example, and every result validated by the stack's settings."""

import json
import subprocess
import sys

import pytest
import yaml

from stacks import migrate_v1
from stacks import settings as stack_settings
from tests.conftest import ROOT
from tests.support import prod_stack

pytestmark = pytest.mark.process

# The seeds' examples, as the SDK arguments they pass (seeds/002 lines "deploy_configuration").
SEED_EXAMPLES = {
    "resources": {"cpu_cores": 1, "memory_gb": 1},
    "autoscale": {
        "autoscale_enabled": True,
        "autoscale_target_utilization": 30,
        "autoscale_min_replicas": 1,
        "autoscale_max_replicas": 4,
    },
    "no-auth": {"cpu_cores": 1, "memory_gb": 1, "auth_enabled": False},
    "token-auth": {"cpu_cores": 1, "memory_gb": 1, "token_auth_enabled": True},
}
# Learn "How and where to deploy models" (v1): the example deploymentconfig.json for AKS.
LEARN_JSON = {
    "computeType": "aks",
    "autoScaler": {
        "autoscaleEnabled": True,
        "minReplicas": 1,
        "maxReplicas": 3,
        "refreshPeriodInSeconds": 1,
        "targetUtilization": 70,
    },
    "dataCollection": {"storageEnabled": True},
    "authEnabled": True,
    "containerResourceRequirements": {"cpu": 0.5, "memoryInGB": 1.0},
}

ONE_CPU = {"cpu": "1", "memory": "1Gi"}
V1_DEFAULT_SCALE = {
    "minInstances": 1,
    "maxInstances": 10,
    "targetUtilizationPercentage": 70,
    "pollingIntervalS": 1,
}
V1_REQUESTS = {"maxConcurrentRequestsPerInstance": 1, "requestTimeoutMs": 60000}

# (instance type resources, authMode, scaleSettings) the mapping must give for each example.
EXPECTED = {
    "resources": (ONE_CPU, "key", V1_DEFAULT_SCALE),
    "autoscale": (
        {"cpu": "100m", "memory": "512Mi"},  # v1 defaults 0.1 cores, 0.5 GB
        "key",
        {**V1_DEFAULT_SCALE, "maxInstances": 4, "targetUtilizationPercentage": 30},
    ),
    "no-auth": (ONE_CPU, "key", V1_DEFAULT_SCALE),
    "token-auth": (ONE_CPU, "amlToken", V1_DEFAULT_SCALE),
}


def run(tmp_path, name: str, v1: dict, *args: str, suffix: str = ".json"):
    path = tmp_path / f"{name}{suffix}"
    path.write_text(json.dumps(v1) if suffix == ".json" else yaml.safe_dump(v1))
    return subprocess.run(
        [sys.executable, "-m", "stacks.migrate_v1", str(path), *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
    )


def migrated(example: dict, name="fraud-score") -> migrate_v1.Migration:
    return migrate_v1.migrate(
        migrate_v1.flatten(example), name, "k8s-team-a", "azureml:fraud-model:3"
    )


@pytest.mark.parametrize("example", sorted(SEED_EXAMPLES))
def test_seed_examples_map_as_pinned(example):
    migration = migrated(SEED_EXAMPLES[example])
    resources, auth_mode, scale = EXPECTED[example]
    assert migration.instance_type == {
        "name": "fraud-score-v1",
        "resources": {"requests": resources, "limits": resources},
    }
    assert migration.endpoint == {
        "name": "fraud-score",
        "compute": "k8s-team-a",
        "authMode": auth_mode,
        "deployments": [
            {
                "name": "blue",
                "model": "azureml:fraud-model:3",
                "instanceType": "fraud-score-v1",
                "traffic": 100,
                "scaleSettings": scale,
                "requestSettings": V1_REQUESTS,
            }
        ],
    }


def test_disabled_auth_has_no_v2_equivalent_and_says_so():
    unmapped = migrated(SEED_EXAMPLES["no-auth"]).unmapped
    assert len(unmapped) == 1 and unmapped[0].startswith("auth_enabled: false")
    assert migrated(SEED_EXAMPLES["resources"]).unmapped == []


def test_every_mapping_cites_a_source():
    for example in [*SEED_EXAMPLES.values(), LEARN_JSON]:
        for line in migrated(example).mapped:
            sources = ("Learn", "seeds/", "router/", "#1474", "azureml-core")
            assert any(source in line for source in sources), line


@pytest.mark.parametrize("example", [*sorted(SEED_EXAMPLES), "learn-json"])
def test_the_cli_output_validates_in_a_stack(tmp_path, example):
    v1 = LEARN_JSON if example == "learn-json" else SEED_EXAMPLES[example]
    result = run(tmp_path, "fraud", v1, "--compute", "k8s-team-a", "--model", "azureml:fraud:3")
    assert result.returncode == 0, result.stderr
    produced = yaml.safe_load(result.stdout)
    config = prod_stack.config()
    config.update(produced)
    for compute in config["azureml-k8s:computes"]:
        compute["instanceTypes"] = ["fraud-v1"]
    values = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in config.items()}
    values["azureml-k8s:sslCertPem"] = values["azureml-k8s:sslKeyPem"] = (
        "preflight-secret-placeholder"
    )
    parsed = stack_settings.parse(
        values, {"azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"}, "Pulumi.prod.yaml"
    )
    assert parsed.endpoints[0].deployments[0].instanceType == "fraud-v1"


def test_learn_json_maps_the_cli_entities():
    migration = migrated(LEARN_JSON)
    resources = {"cpu": "500m", "memory": "1Gi"}
    assert migration.instance_type["resources"] == {"requests": resources, "limits": resources}
    assert migration.endpoint["deployments"][0]["scaleSettings"] == {
        **V1_DEFAULT_SCALE,
        "maxInstances": 3,
    }
    assert any(line.startswith("computeType aks") for line in migration.mapped)
    assert [line.split(":")[0] for line in migration.unmapped] == ["collect_model_data"]


def test_yaml_input_and_the_rest_of_the_settings(tmp_path):
    v1 = {
        "num_replicas": 3,
        "autoscale_enabled": False,
        "cpu_cores": 2,
        "memory_gb": 4,
        "gpu_cores": 1,
        "scoring_timeout_ms": 240000,
        "max_concurrent_requests_per_container": 2,
        "max_request_wait_time": 500,
        "primary_key": "v1-primary-key-value",
        "period_seconds": 10,
        "failure_threshold": 3,
        "namespace": "team-a",
    }
    result = run(tmp_path, "svc", v1, "--model", "azureml:m:1", suffix=".yaml")
    assert result.returncode == 0, result.stderr
    assert "v1-primary-key-value" not in result.stdout + result.stderr
    produced = yaml.safe_load(result.stdout)
    deployment = produced["azureml-k8s:endpoints"][0]["deployments"][0]
    assert deployment["scaleSettings"]["minInstances"] == 3
    assert deployment["scaleSettings"]["maxInstances"] == 3
    assert deployment["requestSettings"] == {
        "maxConcurrentRequestsPerInstance": 2,
        "requestTimeoutMs": 180000,
    }
    assert deployment["livenessProbe"] == {"periodS": 10, "failureThreshold": 3}
    limits = produced["azureml-k8s:instanceTypes"][0]["resources"]["limits"]
    assert limits == {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": 1}
    comments = [line for line in result.stdout.splitlines() if line.startswith("#")]
    for key in ("scoring_timeout_ms 240000", "max_request_wait_time", "primary_key"):
        assert any(key in line for line in comments), key
    assert any("namespace team-a -> computes[].namespace" in line for line in comments)


@pytest.mark.parametrize(
    "v1,fragment",
    [
        ({"autoscale_minimum": 1}, "autoscale_minimum: not a v1 AKS deployment setting"),
        ({"autoScaler": {"minReplica": 1}}, "autoScaler.minReplica: not a v1"),
        (
            {"autoscale_min_replicas": 5, "autoscale_max_replicas": 2},
            "v1.autoscale_max_replicas: must be >= autoscale_min_replicas (5)",
        ),
        ({"computeType": "aci"}, "is not an AKS web service"),
        ({"cpu_cores": 0}, "greater than zero"),
    ],
)
def test_bad_input_exits_2_naming_the_setting(tmp_path, v1, fragment):
    result = run(tmp_path, "bad", v1)
    assert result.returncode == 2
    assert fragment in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_bad_command_line_exits_64(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "stacks.migrate_v1"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 64 and "migrate_v1: error" in result.stderr
