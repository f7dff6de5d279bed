"""The pure rules policies and stack settings share: catalog.instance_types and
catalog.endpoints."""

import pytest

from catalog import endpoints, instance_types

GOOD = {
    "nodeSelector": {"accelerator": "a100"},
    "resources": {
        "requests": {"cpu": "500m", "memory": "1.5Gi"},
        "limits": {"cpu": 1.0, "memory": "2G", "nvidia.com/gpu": 1.0},
    },
}


def test_good_spec():
    assert instance_types.spec_problems(GOOD) == []


@pytest.mark.parametrize(
    "path,value,where",
    [
        (("requests", "cpu"), None, "resources.requests.cpu"),
        (("limits", "memory"), "0Gi", "resources.limits.memory"),
        (("limits", "cpu"), "two", "resources.limits.cpu"),
        (("requests", "nvidia.com/gpu"), 1, "resources.requests.nvidia.com/gpu"),
        (("limits", "nvidia.com/gpu"), "0.5", "resources.limits.nvidia.com/gpu"),
        (("limits", "nvidia.com/gpu"), True, "resources.limits.nvidia.com/gpu"),
    ],
)
def test_spec_problems(path, value, where):
    spec = {"resources": {k: dict(v) for k, v in GOOD["resources"].items()}}
    part, key = path
    if value is None:
        del spec["resources"][part][key]
    else:
        spec["resources"][part][key] = value
    assert [p for p, _ in instance_types.spec_problems(spec)] == [where]


def test_no_spec_at_all():
    assert instance_types.spec_problems(None)
    assert len(instance_types.spec_problems({})) == 4  # cpu and memory, requests and limits


def test_quantities():
    assert instance_types.cpu_millicores("250m") == 250
    assert instance_types.cpu_millicores(2) == 2000
    assert instance_types.memory_bytes("1Ki") == 1024
    assert instance_types.memory_bytes("1Gb") is None


def test_node_selector_subset():
    extension = instance_types.extension_node_selector(
        {"nodeSelector.pool": "ml", "enableTraining": "True"}
    )
    assert extension == {"pool": "ml"}
    assert instance_types.node_selector_problems({"pool": "ml"}, extension) == []
    assert [p for p, _ in instance_types.node_selector_problems({"pool": "gpu"}, extension)] == [
        "nodeSelector.pool"
    ]
    assert instance_types.node_selector_problems({"zone": "1"}, extension)[0][0] == (
        "nodeSelector.zone"
    )
    assert instance_types.node_selector_problems({"zone": "1"}, {}) == []


@pytest.mark.parametrize(
    "model,expected",
    [
        ("azureml://registries/azureml/models/phi/versions/1", True),
        ("AzureML://Registries/x/models/y/versions/2", True),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/"
            "registries/r/models/m/versions/1",
            True,
        ),
        ("azureml:fraud-model:3", False),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/"
            "workspaces/w/models/m/versions/1",
            False,
        ),
    ],
)
def test_registry_models(model, expected):
    assert endpoints.is_registry_model(model) is expected


@pytest.mark.parametrize(
    "text,ms", [("PT5S", 5000), ("PT0.5S", 500), ("PT1M30S", 90000), ("P1D", 86400000)]
)
def test_durations(text, ms):
    assert endpoints.duration_ms(text) == ms


@pytest.mark.parametrize("text", ["5s", "PT", "P", "", "PTXS"])
def test_bad_durations(text):
    assert endpoints.duration_ms(text) is None
