"""Instance types: the spec rules (catalog, shared with the policy pack) and the stack rules
(extension nodeSelector, node pool labels, NVIDIA plugin, computes), each failing alone."""

import pytest

from tests.support import pki, prod_stack

FILE = "Pulumi.prod.yaml"
CPU, GPU = 0, 1


parse, errors = prod_stack.parse, prod_stack.errors


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
            # The cpu pool has the label and three sure nodes, so azureml-fe keeps its HA.
            lambda c: (
                c["azureml-k8s:extension"].update({"nodeSelector": {"workload": "cpu"}}),
                c["azureml-k8s:cluster"]["nodePools"][1].update({"minCount": 3}),
            ),
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


def _with_cpu(cpu: object, max_instances: int) -> dict:
    config = prod_stack.config()
    small = config["azureml-k8s:instanceTypes"][CPU]["resources"]
    small["requests"]["cpu"] = small["limits"]["cpu"] = cpu
    blue = config["azureml-k8s:endpoints"][0]["deployments"][0]
    blue.pop("sizing")
    blue["scaleSettings"] = {"minInstances": 1, "maxInstances": max_instances}
    return config


@pytest.mark.parametrize("cpu", [".5", 0.5, "0.5", "5e-1"])
def test_every_spelling_of_half_a_core_gives_the_same_warnings(cpu):
    # 20 cpu nodes x 16 vCPU hold 640 half-core replicas: 700 leaves 60 Pending, whatever the
    # spelling (the node fit and the instance type rules read one parser).
    reference: list = []
    expected = parse(_with_cpu("500m", 700))
    parse(_with_cpu("500m", 700), reference)
    warnings: list = []
    parsed = parse(_with_cpu(cpu, 700), warnings)
    assert warnings == reference and len(reference) == 1
    assert "maxInstances (blue 700) need 700 replicas; cpu hold 640 at most" in reference[0][1]
    # Kubernetes writes a quantity back in its suffix's format: decimal ones as 500m, the
    # exponent form as 500e-3. The spec sent is that canonical form.
    canonical = "500e-3" if cpu == "5e-1" else "500m"
    assert parsed.instanceTypes[CPU].spec()["resources"]["requests"]["cpu"] == canonical
    assert expected.instanceTypes[CPU].spec()["resources"]["requests"]["cpu"] == "500m"


@pytest.fixture(scope="module")
def pair():
    return pki.server((prod_stack.CNAME,))


@pytest.mark.process
def test_half_a_core_previews_the_same_plan_either_way(tmp_path, pair):
    plans = []
    for name, cpu in (("dot", ".5"), ("milli", "500m")):
        (tmp_path / name).mkdir()
        stack = tmp_path / name / "Pulumi.prod.yaml"
        prod_stack.write(stack, _with_cpu(cpu, 700), pair.cert, pair.key)
        done = prod_stack.preflight("preview", "--config", str(stack), "--format", "json")
        assert done.returncode == 0, done.stderr
        plans.append(done.stdout.replace(str(stack), "STACK"))
    assert plans[0] == plans[1]
