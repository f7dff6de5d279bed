"""v1 AKS web service settings to v2 endpoints[]/instanceTypes[]: the mapping pinned on the v1
SDK examples of Learn "Deploy a model to an Azure Kubernetes Service cluster with v1"
(`AksWebservice.deploy_configuration(...)`), on the v1 CLI's deployment configuration example
and on `az ml service show` output; names from the file or the flags; every result validated by
the stack's settings; the keys, sources and exit codes as docs/migrate.md documents them.

Most tests run in-process (common.cli.run(main, argv)); the few that start `python -m
stacks.migrate_v1` are marked `process`."""

import json
import re
import subprocess
import sys

import pytest
import yaml

from common import cli
from stacks import migrate_v1
from stacks import settings as stack_settings
from stacks.migrate_v1 import keys
from stacks.migrate_v1.command import main
from stacks.migrate_v1.sources import SOURCES
from tests.conftest import ROOT
from tests.support import prod_stack

DOC = ROOT / "docs" / "migrate.md"
NAMES = ["--name", "fraud-score", "--compute", "k8s-team-a", "--model", "azureml:fraud-model:3"]

# Learn v1 AKS article's SDK examples, as the deploy_configuration arguments they pass.
SDK_EXAMPLES = {
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
# The v1 CLI's example deploymentconfig.json for AKS.
CLI_JSON = {
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
# What `az ml service show` prints for an AKS web service (AksWebservice.serialize), in part.
SHOW = {
    "name": "fraud-score",
    "computeType": "AKS",
    "computeName": "k8s-team-a",
    "state": "Healthy",
    "createdTime": "2024-05-01T10:00:00.000000+00:00",
    "scoringUri": "http://20.0.0.1:80/api/v1/service/fraud-score/score",
    "imageId": None,
    "deploymentStatus": {"desiredReplicas": 2, "availableReplicas": 2},
    "models": [{"name": "fraud-model", "version": 3, "id": "fraud-model:3", "framework": "Custom"}],
    "modelDetails": [{"name": "fraud-model", "version": "3"}],
    "containerResourceRequirements": {
        "cpu": 1,
        "cpuLimit": 2,
        "memoryInGB": 2,
        "memoryInGBLimit": 2,
        "gpu": None,
    },
    "autoScaler": {
        "autoscaleEnabled": True,
        "minReplicas": 2,
        "maxReplicas": 8,
        "refreshPeriodInSeconds": 1,
        "targetUtilization": 60,
    },
    "numReplicas": None,
    "authEnabled": False,
    "aadAuthEnabled": True,
    "scoringTimeoutMs": 90000,
    "maxConcurrentRequestsPerContainer": 2,
    "maxQueueWaitMs": 500,
    "dataCollection": {"storageEnabled": False, "eventHubEnabled": False},
    "livenessProbeRequirements": {"periodSeconds": 10, "failureThreshold": 3},
    "namespace": "team-a",
    "description": None,
    "tags": None,
}

ONE_CPU = {"cpu": "1", "memory": "1Gi"}
V1_DEFAULT_SCALE = {
    "minInstances": 1,
    "maxInstances": 10,
    "targetUtilizationPercentage": 70,
    "pollingIntervalS": 1,
}
V1_REQUESTS = {"maxConcurrentRequestsPerInstance": 1, "requestTimeoutMs": 60000}
# (instance type resources, authMode, scaleSettings) the mapping gives for each SDK example.
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


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.run(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, v1: dict, name: str = "svc.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(v1) if name.endswith(".json") else yaml.safe_dump(v1))
    return str(path)


def migrated(example: dict, **flags: str) -> migrate_v1.Migration:
    v1 = migrate_v1.flatten(example, "svc.json")
    given = {"name": "fraud-score", "compute": "k8s-team-a", "model": "azureml:fraud-model:3"}
    return migrate_v1.migrate(v1, migrate_v1.resolve(v1, **{**given, **flags}))


def in_a_stack(produced: dict) -> stack_settings.Settings:
    """The printed settings added to the production stack, validated as a whole."""
    config = prod_stack.config()
    name = produced["azureml-k8s:instanceTypes"][0]["name"]
    config["azureml-k8s:instanceTypes"] += produced["azureml-k8s:instanceTypes"]
    config["azureml-k8s:endpoints"] = produced["azureml-k8s:endpoints"]
    for compute in config["azureml-k8s:computes"]:
        compute["instanceTypes"].append(name)
    values = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in config.items()}
    secrets = {"azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"}
    for key in secrets:
        values[key] = "preflight-secret-placeholder"
    return stack_settings.parse(values, secrets, "Pulumi.prod.yaml")


@pytest.mark.parametrize("example", sorted(SDK_EXAMPLES))
def test_sdk_examples_map_as_pinned(example):
    migration = migrated(SDK_EXAMPLES[example])
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
    unmapped = migrated(SDK_EXAMPLES["no-auth"]).unmapped
    assert len(unmapped) == 1 and unmapped[0].text.startswith("auth_enabled false")
    assert migrated(SDK_EXAMPLES["resources"]).unmapped == []


def test_every_note_cites_public_sources_by_title_and_url():
    for example in [*SDK_EXAMPLES.values(), CLI_JSON, SHOW]:
        migration = migrated(example)
        for note in migration.mapped + migration.unmapped:
            assert note.sources, note.text
            assert set(note.sources) <= set(SOURCES), note
    for source in SOURCES.values():
        assert source.title and source.url.startswith("https://"), source


def test_no_private_seed_references_in_the_tool_or_its_docs():
    paths = [
        *sorted((ROOT / "stacks" / "migrate_v1").glob("*.py")),
        DOC,
        *sorted((ROOT / "tests" / "stacks").glob("test_migrate_v1*.py")),
    ]
    pattern = "seeds" + "/"  # spelled apart so this file does not match itself
    assert [str(p) for p in paths if pattern in p.read_text()] == []


@pytest.mark.parametrize("example", [*sorted(SDK_EXAMPLES), "cli-json", "show"])
def test_the_printed_settings_validate_in_a_stack(tmp_path, capsys, example):
    v1 = {"cli-json": CLI_JSON, "show": SHOW}.get(example) or SDK_EXAMPLES[example]
    code, out, err = run(capsys, write(tmp_path, v1), *NAMES)
    assert code == 0, err
    produced = yaml.safe_load(out)
    assert list(produced) == ["azureml-k8s:instanceTypes", "azureml-k8s:endpoints"]
    parsed = in_a_stack(produced)
    assert parsed.endpoints[-1].deployments[0].instanceType == "fraud-score-v1"


def test_cli_json_maps_the_cli_entities():
    migration = migrated(CLI_JSON)
    resources = {"cpu": "500m", "memory": "1Gi"}
    assert migration.instance_type["resources"] == {"requests": resources, "limits": resources}
    assert migration.endpoint["deployments"][0]["scaleSettings"] == {
        **V1_DEFAULT_SCALE,
        "maxInstances": 3,
    }
    assert [note.text.split(" ")[0] for note in migration.unmapped] == [
        "dataCollection.storageEnabled"
    ]
    assert any("v1-cli" in note.sources for note in migration.mapped)


def test_show_output_gives_the_names_and_maps_its_entities(tmp_path, capsys):
    code, out, err = run(capsys, write(tmp_path, SHOW))
    assert code == 0, err
    produced = yaml.safe_load(out)
    endpoint = produced["azureml-k8s:endpoints"][0]
    deployment = endpoint["deployments"][0]
    assert (endpoint["name"], endpoint["compute"], endpoint["authMode"]) == (
        "fraud-score",
        "k8s-team-a",
        "amlToken",
    )
    assert deployment["model"] == "azureml:fraud-model:3"
    assert deployment["scaleSettings"] == {
        "minInstances": 2,
        "maxInstances": 8,
        "targetUtilizationPercentage": 60,
        "pollingIntervalS": 1,
    }
    assert deployment["requestSettings"] == {
        "maxConcurrentRequestsPerInstance": 2,
        "requestTimeoutMs": 90000,
    }
    assert deployment["livenessProbe"] == {"periodS": 10, "failureThreshold": 3}
    assert produced["azureml-k8s:instanceTypes"][0]["resources"]["limits"] == {
        "cpu": "2",
        "memory": "2Gi",
    }
    ignored = next(line for line in out.splitlines() if line.startswith("# Ignored"))
    for key in ("state", "createdTime", "scoringUri", "deploymentStatus"):
        assert key in ignored


def test_flags_override_the_names_in_the_file(tmp_path, capsys):
    flags = ["--name", "fraud-v2", "--compute", "k8s-team-b", "--model", "fraud-model:4"]
    code, out, err = run(capsys, write(tmp_path, SHOW), *flags, "--instance-type", "fraud-cpu")
    assert code == 0, err
    produced = yaml.safe_load(out)
    endpoint = produced["azureml-k8s:endpoints"][0]
    assert (endpoint["name"], endpoint["compute"]) == ("fraud-v2", "k8s-team-b")
    assert endpoint["deployments"][0]["model"] == "azureml:fraud-model:4"
    assert produced["azureml-k8s:instanceTypes"][0]["name"] == "fraud-cpu"
    assert "# Mapped" in out and '--compute (over the file\'s computeName "k8s-team-a")' in out


def test_without_a_name_or_a_model_it_exits_2_saying_which_flag_to_give(tmp_path, capsys):
    code, out, err = run(capsys, write(tmp_path, CLI_JSON))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert lines[0].startswith(f"migrate_v1: {tmp_path / 'svc.json'}: name: no endpoint name")
    assert lines[0].endswith("give --name NAME")
    assert ": models: no model" in lines[1] and "give --model azureml:NAME:VERSION" in lines[1]


@pytest.mark.parametrize(
    "v1,flags,fragment,fix",
    [
        (
            {**SHOW, "models": ["a:1", "b:2"], "modelDetails": None},
            [],
            'models[0]: the v1 service served 2 models ("a:1", "b:2")',
            "--model azureml:NAME:VERSION",
        ),
        (
            {**SHOW, "modelIds": ["fraud-model"]},
            [],
            "modelIds[0]: not a model reference",
            "--model azureml:NAME:VERSION",
        ),
        (
            SHOW,
            ["--model", "azureml://registries/r/models/m/versions/1"],
            "--model: ",
            "--model azureml:NAME:VERSION",
        ),
        ({**SHOW, "name": "Fraud_Score"}, [], "name: 'Fraud_Score' is not a", "--name NAME"),
        (SHOW, ["--compute", "x"], "--compute: 'x' is not a", "--compute NAME"),
        (
            SHOW,
            ["--instance-type", "Fraud"],
            "--instance-type: 'Fraud' is not a",
            "--instance-type NAME",
        ),
    ],
)
def test_a_bad_name_or_model_exits_2_where_it_came_from(tmp_path, capsys, v1, flags, fragment, fix):
    code, out, err = run(capsys, write(tmp_path, v1), *flags)
    assert (code, out) == (2, "")
    assert fragment in err and "Traceback" not in err
    assert f"give {fix}" in err


def test_an_invalid_endpoint_name_is_reported_once_not_again_for_its_instance_type(
    tmp_path, capsys
):
    code, _, err = run(capsys, write(tmp_path, {**SHOW, "name": "Fraud_Score"}))
    assert code == 2 and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "v1,fragment",
    [
        (
            {"autoscale_minimum": 1},
            "autoscale_minimum: not a v1 AKS web service setting; did you mean 'autoscale_min_replicas'?",
        ),
        (
            {"autoScaler": {"minReplica": 1}},
            "autoScaler.minReplica: not a v1 AKS web service setting; did you mean 'autoScaler.minReplicas'?",
        ),
        (
            {"AutoScaler": {"minReplicas": 1}},
            "AutoScaler: not a v1 AKS web service setting; did you mean 'autoScaler'?",
        ),
        (
            {"containerResourceRequirements": {"memoryInGb": 1}},
            "did you mean 'containerResourceRequirements.memoryInGB'?",
        ),
        (
            {"zzzz": 1},
            "zzzz: not a v1 AKS web service setting; docs/migrate.md lists every accepted key",
        ),
        ({"autoScaler": 3}, "autoScaler: expected a mapping of autoScaler.* settings (got 3)"),
        (
            {"autoscale_min_replicas": 5, "autoscale_max_replicas": 2},
            "autoscale_max_replicas: must be >= autoscale_min_replicas (5)",
        ),
        ({"computeType": "ACI"}, 'computeType: "ACI" is not an AKS web service'),
        ({"cpu_cores": 0}, "cpu_cores: must be greater than zero"),
        ({"cpu_cores": 0.0001}, "cpu_cores: 0.0001 cores is less than 1 millicore"),
        ({"cpu_cores": 2, "cpu_cores_limit": 1}, "cpu_cores_limit: 1 is below cpu_cores (2)"),
        (
            {"authEnabled": True, "tokenAuthEnabled": True},
            "tokenAuthEnabled: true together with authEnabled true",
        ),
        (
            {"cpu_cores": 1, "containerResourceRequirements": {"cpu": 2}},
            "given twice, as cpu_cores and as containerResourceRequirements.cpu",
        ),
        ({"namespace": "Team_A"}, 'namespace: "Team_A" is not a Kubernetes namespace name'),
        ({"num_replicas": 3, "autoscale_enabled": True}, "num_replicas: a fixed count contradicts"),
        ({"primary_key": 12345}, "primary_key: must be a string"),
    ],
)
def test_bad_input_exits_2_naming_the_file_and_the_key(tmp_path, capsys, v1, fragment):
    path = write(tmp_path, v1)
    code, out, err = run(capsys, path, *NAMES)
    assert (code, out) == (2, "")
    assert f"migrate_v1: {path}: " in err and fragment in err, err
    assert "Traceback" not in err


def test_all_of_a_files_unknown_keys_are_reported_at_once(tmp_path, capsys):
    code, _, err = run(capsys, write(tmp_path, {"cpu": 1, "memory": 1, "autoScaler": {"min": 1}}))
    assert code == 2 and len(err.splitlines()) == 3


def test_yaml_input_and_the_rest_of_the_settings(tmp_path, capsys):
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
        "description": "Fraud scoring",
    }
    code, out, err = run(capsys, write(tmp_path, v1, "svc.yaml"), *NAMES)
    assert code == 0, err
    assert "v1-primary-key-value" not in out + err
    produced = yaml.safe_load(out)
    endpoint = produced["azureml-k8s:endpoints"][0]
    deployment = endpoint["deployments"][0]
    assert endpoint["description"] == "Fraud scoring"
    assert deployment["scaleSettings"]["minInstances"] == 3
    assert deployment["scaleSettings"]["maxInstances"] == 3
    assert deployment["requestSettings"] == {
        "maxConcurrentRequestsPerInstance": 2,
        "requestTimeoutMs": 180000,
    }
    assert deployment["livenessProbe"] == {"periodS": 10, "failureThreshold": 3}
    limits = produced["azureml-k8s:instanceTypes"][0]["resources"]["limits"]
    assert limits == {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": 1}
    comments = [line for line in out.splitlines() if line.startswith("#")]
    for key in ("scoring_timeout_ms 240000", "max_request_wait_time 500", "primary_key (given)"):
        assert any(key in line for line in comments), key
    assert any('namespace "team-a" -> computes[].namespace' in line for line in comments)


def test_numeric_strings_are_read_only_in_ascii(tmp_path, capsys):
    code, out, err = run(
        capsys, write(tmp_path, {"cpu_cores": "0.5", "autoscale_max_replicas": "4"}), *NAMES
    )
    assert code == 0, err
    produced = yaml.safe_load(out)
    assert produced["azureml-k8s:instanceTypes"][0]["resources"]["requests"]["cpu"] == "500m"
    assert (
        produced["azureml-k8s:endpoints"][0]["deployments"][0]["scaleSettings"]["maxInstances"] == 4
    )
    for value in ("\uff10.5", "٠.٥", "1_0", "0x10"):
        code, out, err = run(capsys, write(tmp_path, {"cpu_cores": value}), *NAMES)
        assert (code, out) == (2, "") and "cpu_cores: must be a number" in err, value


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("cpu_cores: true", "cpu_cores: must be a number (got true)"),
        (
            "autoscale_max_replicas: true",
            "autoscale_max_replicas: must be a whole number (got true)",
        ),
        ("cpu_cores: .nan", "cpu_cores: must be a finite number"),
        ("cpu_cores: .inf", "cpu_cores: must be a finite number"),
        ("cpu_cores: '1e400'", "cpu_cores: must be a finite number"),
        ("autoscale_max_replicas: 2.5", "autoscale_max_replicas: must be a whole number (got 2.5)"),
        ("autoscale_max_replicas: 99999999999", "must be between 1 and 2147483647"),
        ("auth_enabled: 'false'", 'auth_enabled: must be true or false (got "false")'),
        ("description: 7", "description: must be a string (got 7)"),
    ],
)
def test_numbers_are_real_numbers_and_flags_are_booleans(tmp_path, capsys, text, fragment):
    path = tmp_path / "svc.yaml"
    path.write_text(text + "\n")
    code, out, err = run(capsys, str(path), *NAMES)
    assert (code, out) == (2, "")
    assert fragment in err, err


def test_docs_list_every_accepted_key_in_both_spellings():
    text = DOC.read_text()
    documented = set(re.findall(r"`([A-Za-z_.]+)`", text))
    accepted = {*keys.SDK_ARGUMENTS, *keys.ALIASES, *keys.CLI_ENTITIES, *keys.STATUS_KEYS}
    assert sorted(accepted - documented) == []
    for label, source in SOURCES.items():
        assert f"`{label}`" in text and source.url in text, label


def test_help_points_to_the_docs(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.run(main, ["--help"])
    assert exit_info.value.code == 0
    assert "docs/migrate.md" in capsys.readouterr().out


def test_a_bad_command_line_exits_64_with_a_did_you_mean(capsys):
    code, out, err = run(capsys, "svc.json", "--nmae", "x")
    assert (code, out) == (cli.USAGE, "")
    assert "--nmae: did you mean --name?" in err
    assert run(capsys)[0] == cli.USAGE


def test_nothing_in_the_tool_catches_ctrl_c():
    """common.cli turns KeyboardInterrupt into exit 130 without a traceback, as long as nothing
    in between swallows it."""
    for path in sorted((ROOT / "stacks" / "migrate_v1").glob("*.py")):
        text = path.read_text()
        assert "BaseException" not in text and "KeyboardInterrupt" not in text, path
        assert not re.search(r"except\s*:", text), path


@pytest.mark.process
def test_python_m_runs_it_with_the_projects_exit_codes(tmp_path):
    path = write(tmp_path, SHOW)
    done = subprocess.run(
        [sys.executable, "-m", "stacks.migrate_v1", path],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout)["azureml-k8s:endpoints"][0]["name"] == "fraud-score"
    usage = subprocess.run(
        [sys.executable, "-m", "stacks.migrate_v1"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert usage.returncode == 64 and "migrate_v1: error" in usage.stderr
