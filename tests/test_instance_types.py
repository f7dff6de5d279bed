"""Instance types: the spec rules (catalog, shared with the policy pack) and the stack rules
(extension nodeSelector, node pool labels, NVIDIA plugin, computes), each failing alone."""

import json

import pytest

from stacks import settings as stack_settings
from tests import prod_stack

FILE = "Pulumi.prod.yaml"
CPU, GPU = 0, 1


def parse(config: dict):
    values = {
        key: json.dumps(value) if isinstance(value, (dict, list)) else value
        for key, value in config.items()
    }
    values["azureml-k8s:sslCertPem"] = values["azureml-k8s:sslKeyPem"] = (
        "preflight-secret-placeholder"
    )
    return stack_settings.parse(values, {"azureml-k8s:sslCertPem", "azureml-k8s:sslKeyPem"}, FILE)


def errors(config: dict) -> list[tuple[str, str]]:
    with pytest.raises(stack_settings.SettingsError) as info:
        parse(config)
    return info.value.errors


def test_the_fixture_instance_types_validate():
    parsed = parse(prod_stack.config())
    assert [item.name for item in parsed.instanceTypes] == ["cpu-small", "gpu-a100"]
    assert parsed.instanceTypes[GPU].spec() == {
        "nodeSelector": {"accelerator": "a100"},
        "resources": {
            "requests": {"cpu": "8", "memory": "64Gi"},
            "limits": {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": 1},
        },
    }


def mutate(change):
    config = prod_stack.config()
    change(config)
    return config


def _types(config):
    return config["azureml-k8s:instanceTypes"]


AT = "config.azureml-k8s:instanceTypes"


@pytest.mark.parametrize(
    "change,path,fragment",
    [
        (
            lambda c: _types(c)[GPU]["resources"]["requests"].update({"nvidia.com/gpu": 1}),
            f"{AT}[1].resources.requests.nvidia.com/gpu",
            "GPUs go in limits only",
        ),
        (
            lambda c: _types(c)[GPU]["resources"]["limits"].update({"nvidia.com/gpu": 1.5}),
            f"{AT}[1].resources.limits.nvidia.com/gpu",
            "whole number",
        ),
        (
            lambda c: _types(c)[CPU]["resources"]["requests"].pop("memory"),
            f"{AT}[0].resources.requests.memory",
            "required",
        ),
        (
            lambda c: _types(c)[CPU]["resources"]["limits"].update({"cpu": "0"}),
            f"{AT}[0].resources.limits.cpu",
            "greater than zero",
        ),
        (
            lambda c: _types(c)[CPU]["nodeSelector"].update({"workload": "batch"}),
            f"{AT}[0].nodeSelector",
            "no node pool has the labels workload=batch",
        ),
        (
            lambda c: c["azureml-k8s:extension"].update({"installNvidiaDevicePlugin": False}),
            f"{AT}[1].resources.limits.nvidia.com/gpu",
            "NVIDIA device plugin",
        ),
        (
            lambda c: c["azureml-k8s:extension"].update({"nodeSelector": {"workload": "cpu"}}),
            f"{AT}[1].nodeSelector.accelerator",
            "the extension's nodeSelector does not select this label",
        ),
        (
            lambda c: _types(c).append(dict(_types(c)[CPU])),
            f"{AT}[2].name",
            "unique",
        ),
        (
            lambda c: c["azureml-k8s:computes"][1]["instanceTypes"].append("cpu-large"),
            "config.azureml-k8s:computes[1].instanceTypes[1]",
            "unknown instance type 'cpu-large'",
        ),
    ],
    ids=[
        "gpu-in-requests",
        "fractional-gpu",
        "memory-request-missing",
        "zero-cpu-limit",
        "selector-matches-no-pool",
        "gpu-without-device-plugin",
        "selector-outside-extension-selector",
        "duplicate-name",
        "compute-names-unknown-type",
    ],
)
def test_each_rule_fails_alone(change, path, fragment):
    found = errors(mutate(change))
    assert [p for p, _ in found] == [path], found
    assert fragment in found[0][1]


def test_pool_name_labels_select_aks_pools():
    # AKS labels each node with its pool (agentpool=<name>), so selecting by it is fine.
    config = mutate(lambda c: _types(c)[CPU].update({"nodeSelector": {"agentpool": "cpu"}}))
    assert parse(config).instanceTypes[CPU].nodeSelector == {"agentpool": "cpu"}


def test_default_instance_type_may_be_named_without_declaring_it():
    config = mutate(
        lambda c: c["azureml-k8s:computes"][1]["instanceTypes"].append("defaultinstancetype")
    )
    assert parse(config).computes[1].instanceTypes == ["cpu-small", "defaultinstancetype"]
