"""Capacity on the nodes that are sure to exist or can exist: minimum replicas that can never all
start are an error, maxima beyond the pools' largest a warning, both summed over the deployments
that share pools, with a hint that fits the pool; the router's HA counts only nodes it runs on."""

import pytest

from tests.support import prod_stack

AT = "config.azureml-k8s:endpoints[0].deployments"
CPU_POOL, GPU_POOL = 1, 2


def _deployments(config):
    return config["azureml-k8s:endpoints"][0]["deployments"]


def _config(blue: dict | None = None, green: dict | None = None, pools=None) -> dict:
    config = prod_stack.config()
    blue_, green_ = _deployments(config)
    if blue is not None:
        blue_.pop("sizing", None)
        blue_["scaleSettings"] = blue
    if green is not None:
        green_["scaleSettings"] = green
    for index, changes in (pools or {}).items():
        config["azureml-k8s:cluster"]["nodePools"][index].update(changes)
    return config


def test_the_fixture_fits():
    warnings: list = []
    prod_stack.parse(prod_stack.config(), warnings)
    assert warnings == []


def test_a_minimum_no_pool_can_hold_is_an_error_with_the_pool_kinds_hint():
    # cpu-small (1 vCPU, 2 GiB) on the cpu pool: 20 nodes x 16 vCPU = 320 replicas at most.
    errors = prod_stack.errors(_config(blue={"minInstances": 350, "maxInstances": 400}))
    path, message = next(e for e in errors if e[0].endswith("scaleSettings.minInstances"))
    assert path == f"{AT}[0].scaleSettings.minInstances"
    assert "minInstances (blue 350) need 350 replicas; cpu hold 320 at most" in message
    assert "never becomes ready" in message and "after 20 minutes" in message
    assert "raise maxCount of cpu" in message and "fixed-size" not in message


def test_a_fixed_pool_is_told_to_raise_its_count():
    fixed = {"minCount": None, "maxCount": None, "count": 2}
    errors = prod_stack.errors(
        _config(blue={"minInstances": 35, "maxInstances": 40}, pools={CPU_POOL: fixed})
    )
    message = next(m for p, m in errors if p.endswith("minInstances"))
    assert "cpu hold 32 at most" in message
    assert "raise count of cpu (a fixed-size pool never grows)" in message
    assert "maxCount" not in message


def test_blue_and_green_on_one_pool_are_added_up():
    # Two GPU deployments of 1 GPU each on the A100 pool (at most 4 nodes x 1 GPU): 3 + 2 > 4,
    # though each alone fits.
    config = _config(green={"minInstances": 2, "maxInstances": 2})
    blue = _deployments(config)[0]
    blue.pop("sizing")
    blue["instanceType"] = "gpu-a100"
    blue["scaleSettings"] = {"minInstances": 3, "maxInstances": 3}
    message = next(m for p, m in prod_stack.errors(config) if p.endswith("minInstances"))
    assert "minInstances (blue 3, green 2) need 5 replicas; gpu hold 4 at most" in message


def test_maxima_beyond_the_pools_are_a_warning_on_the_sum():
    config = _config(green={"minInstances": 1, "maxInstances": 3})
    blue = _deployments(config)[0]
    blue.pop("sizing")
    blue["instanceType"] = "gpu-a100"
    blue["scaleSettings"] = {"minInstances": 1, "maxInstances": 3}
    warnings: list = []
    prod_stack.parse(config, warnings)
    assert warnings == [
        (
            f"{AT}[1].scaleSettings.maxInstances",
            "maxInstances (blue 3, green 3) need 6 replicas; gpu hold 4 at most: at peak the "
            "rest stay Pending (azureml-fe never adds nodes): raise maxCount of gpu; or lower "
            "maxInstances",
        )
    ]


@pytest.mark.parametrize(
    ("taint", "nodes", "fails"),
    [
        ("sku=gpu:NoSchedule", 1, True),
        ("sku=gpu:NoExecute", 1, True),
        ("sku=gpu:PreferNoSchedule", 3, False),
    ],
)
def test_router_ha_counts_only_nodes_azureml_fe_runs_on(taint, nodes, fails):
    # One system node and two GPU nodes: three nodes, but azureml-fe tolerates no taint.
    config = prod_stack.config()
    system, cpu, gpu = config["azureml-k8s:cluster"]["nodePools"]
    system["count"] = 1
    config["azureml-k8s:cluster"]["nodePools"] = [
        system,
        {**gpu, "minCount": 2, "maxCount": 4, "taints": [taint]},
    ]
    config["azureml-k8s:endpoints"] = []
    config["azureml-k8s:computes"][0]["instanceTypes"] = ["gpu-a100"]
    config["azureml-k8s:computes"].pop(1)
    config["azureml-k8s:instanceTypes"].pop(0)
    if fails:
        errors = prod_stack.errors(config)
        message = dict(errors)["config.azureml-k8s:extension.inferenceRouterHA"]
        assert f"the cluster has {nodes} node(s) azureml-fe can run on" in message
    else:
        prod_stack.parse(config)


def test_router_ha_needs_the_extensions_node_selector_labels():
    config = prod_stack.config()
    config["azureml-k8s:extension"]["nodeSelector"] = {"workload": "cpu"}
    # Only the cpu pool has the label, and it is sure to have 1 node (minCount 1).
    config["azureml-k8s:instanceTypes"] = []
    config["azureml-k8s:computes"] = [{"name": "k8s-team-a", "namespace": "team-a"}]
    config["azureml-k8s:endpoints"] = []
    message = dict(prod_stack.errors(config))["config.azureml-k8s:extension.inferenceRouterHA"]
    assert "the cluster has 1 node(s) azureml-fe can run on" in message
