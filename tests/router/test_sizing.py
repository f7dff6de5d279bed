import json
import math
import subprocess
import sys

import pytest

from router import formula
from router.sizing import size
from stacks.settings import parse


def test_at_large_scale_the_formula_holds_more_than_the_goal_needs():
    sizing = size(20, 10_000, wait_goal_ms=1000)
    assert (sizing.formula_replicas, sizing.wait_goal_replicas) == (286, 222)
    assert sizing.wait_predicted_ms <= 1000 < formula.predicted_wait_ms(221, 20, 10_000)


def test_at_small_scale_the_formula_misses_the_goal():
    # 1 rps x 1 s: the formula's 2 replicas are M/M/2 at a=1, p99 wait ln(100/3) s = 3.5 s.
    sizing = size(1, 1000, wait_goal_ms=500)
    assert sizing.formula_replicas == 2
    assert sizing.formula_wait_ms == pytest.approx(1000 * math.log(100 / 3) + 15)
    assert sizing.wait_goal_replicas == 4


def test_the_json_settings_paste_into_a_stack_as_they_are(tmp_path):
    report = size(200, 100, wait_goal_ms=50).to_dict()
    config = {
        "azure-native:location": "westeurope",
        "azureml-k8s:environment": "dev",
        "azureml-k8s:cluster": {
            "kind": "aks",
            "name": "mldev",
            "nodePools": [
                {"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"}
            ],
        },
        "azureml-k8s:extension": {
            "enableInference": True,
            "inferenceRouterServiceType": "loadBalancer",
            "allowInsecureConnections": True,
        },
        "azureml-k8s:workspace": {
            "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/"
            "providers/Microsoft.MachineLearningServices/workspaces/mlw"
        },
        "azureml-k8s:computes": [{"name": "k8s-dev", "namespace": "dev"}],
        "azureml-k8s:endpoints": [
            {
                "name": "score",
                "compute": "k8s-dev",
                "deployments": [
                    {
                        "name": "blue",
                        "model": "azureml:m:1",
                        "traffic": 100,
                        "scaleSettings": report["scaleSettings"],
                        "requestSettings": report["requestSettings"],
                    }
                ],
            }
        ],
    }
    flat = {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()
    }
    settings = parse(flat, set(), "Pulumi.paste.yaml")
    deployment = settings.endpoints[0].deployments[0]
    assert deployment.scale()[0].to_stack() == report["scaleSettings"]
    assert deployment.requestSettings.settings().to_stack() == report["requestSettings"]


@pytest.mark.process
def test_pure_parts_work_with_numpy_blocked():
    # Scale settings, sizing, the recommendation and node fit must run where numpy cannot be
    # imported at all (the stack settings call them): None in sys.modules makes `import numpy`
    # raise ImportError.
    code = """
import sys
sys.modules["numpy"] = None
from router import formula, nodefit, recommend, scale, sizing
assert formula.formula_replicas(20, 10_000, 1, 70) == 286
assert recommend.recommend_scale_settings(5000, 50, 1, wait_goal_ms=100).settings.min_instances == 278
assert sizing.size(20, 10_000, wait_goal_ms=1000).wait_goal_replicas == 222
fit = nodefit.node_fit(3, {"cpu": 1, "memory": "1Gi"},
                       [{"name": "a", "count": 1, "allocatable": {"cpu": 2, "memory": "4Gi"}}])
assert fit.pending == 1
assert scale.ScaleSettings.from_v1({"autoscale_max_replicas": 4}).max_instances == 4
assert sys.modules["numpy"] is None
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
