import pytest

from router.inputs import InputError
from router.nodefit import node_fit

POOLS = [
    {"name": "cpu", "count": 5, "allocatable": {"cpu": "7800m", "memory": "28Gi"}},
    {"name": "gpu", "count": 2, "allocatable": {"cpu": 24, "memory": "200Gi", "nvidia.com/gpu": 2}},
]


def test_node_fit_counts_every_resource_and_reports_pending():
    gpu = node_fit(10, {"cpu": 1, "memory": "4Gi", "gpu": 1}, POOLS)
    assert [(p.per_node, p.replicas) for p in gpu.pools] == [(0, 0), (2, 4)]
    assert (gpu.schedulable, gpu.pending) == (4, 6)
    cpu = node_fit(40, {"cpu": "1500m", "memory": "6Gi"}, POOLS)
    # cpu nodes: min(7800 // 1500, 28 // 6) = 4 each -> 20; gpu nodes: min(16, 33) = 16 each.
    assert [(p.per_node, p.replicas) for p in cpu.pools] == [(4, 20), (16, 20)]
    assert cpu.pending == 0


def test_node_fit_cpu_is_exact_in_millicores():
    fit = node_fit(
        3,
        {"cpu": "300m", "memory": "1Mi"},
        [{"name": "a", "count": 1, "allocatable": {"cpu": "900m", "memory": "1Gi"}}],
    )
    assert fit.pending == 0  # 0.9 / 0.3 is 2.9999999999999996 in floating point


@pytest.mark.parametrize("cpu", ["500m", ".5", "0.5", 0.5, "5e-1", "500000u"])
def test_every_spelling_of_a_quantity_fits_the_same(cpu):
    fit = node_fit(
        10,
        {"cpu": cpu, "memory": "1G"},
        [{"name": "a", "count": 1, "allocatable": {"cpu": 2, "memory": "4000M"}}],
    )
    assert (fit.schedulable, fit.pending) == (4, 6)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: node_fit(1, {"cpu": "1x", "memory": "1Gi"}, POOLS), "requests.cpu"),
        (lambda: node_fit(1, {"cpu": "1", "memory": "lots"}, POOLS), "requests.memory"),
        (lambda: node_fit(1, {"cpu": "1", "memory": "1Gi", "gpu": 0.5}, POOLS), "requests.gpu"),
        (lambda: node_fit(1, {"cpu": 1, "memory": "1Gi", "disk": 1}, POOLS), "requests.disk"),
        (lambda: node_fit(1, {"memory": "1Gi"}, POOLS), "requests.cpu"),
        (lambda: node_fit(1, {"cpu": 0, "memory": 0}, POOLS), "requests"),
        (lambda: node_fit(0, {"cpu": 1, "memory": "1Gi"}, POOLS), "replicas"),
        (lambda: node_fit(1, {"cpu": 1, "memory": "1Gi"}, []), "pools"),
        (
            lambda: node_fit(
                1, {"cpu": 1, "memory": "1Gi"}, [{"name": "a", "count": -1, "allocatable": {}}]
            ),
            "pools[0].count",
        ),
    ],
)
def test_invalid_input_names_the_argument(call, field):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field
