import math
import subprocess
import sys

import pytest

from router import capacity, queueing
from router.errors import InputError


def test_formula_gives_the_docs_example():
    # Learn: 20 rps, 10 s per request, 1 per container, 70 % -> ceil(285.71) = 286.
    assert capacity.formula_replicas(20, 10, 1, 0.7) == 286


@pytest.mark.parametrize(
    ("rps", "seconds", "k", "u", "expected"),
    [(7, 1, 1, 0.7, 10), (1, 1, 1, 1.0, 1), (100, 0.05, 2, 0.5, 5), (5000, 0.05, 1, 0.7, 358)],
)
def test_formula_hand_checked(rps, seconds, k, u, expected):
    # 7 x 1 / 0.7 is 10.000000000000002 in floating point; exactly 10 replicas suffice.
    assert capacity.formula_replicas(rps, seconds, k, u) == expected


def test_at_large_scale_the_formula_over_provisions():
    sizing = capacity.size(20, 10, slo_wait_ms=1000)
    assert (sizing.formula_replicas, sizing.slo_replicas) == (286, 222)
    assert sizing.slo_wait_predicted_ms <= 1000 < capacity.predicted_wait_ms(221, 20, 10)


def test_at_small_scale_the_formula_misses_the_goal():
    # 1 rps x 1 s: the formula's 2 replicas are M/M/2 at a=1, p99 wait ln(100/3) s = 3.5 s.
    sizing = capacity.size(1, 1, slo_wait_ms=500)
    assert sizing.formula_replicas == 2
    assert sizing.formula_wait_ms == pytest.approx(1000 * math.log(100 / 3) + 15)
    assert sizing.slo_replicas == 4


def test_slo_replicas_counts_router_overhead_and_concurrency():
    r = capacity.slo_replicas(500, 0.02, 40, max_concurrent=2)
    assert queueing.wait_percentile(2 * r, 500, 0.02, 99) * 1000 + 15 <= 40
    assert queueing.wait_percentile(2 * (r - 1), 500, 0.02, 99) * 1000 + 15 > 40
    with pytest.raises(InputError, match="overhead of 15 ms"):
        capacity.slo_replicas(500, 0.02, 15)


def test_burstier_traffic_needs_more_replicas():
    assert capacity.slo_replicas(100, 0.1, 50, arrival_cv2=4) > capacity.slo_replicas(100, 0.1, 50)


@pytest.mark.parametrize(
    ("rps", "ha", "instances", "deployed", "advice"),
    [
        (100, True, 3, 3, 0),
        (10_000, True, 3, 3, 0),
        (12_000, True, 4, 3, 2),  # 3 serving + coordinator; above 10,000 rps
        (3_000, False, 1, 1, 0),
        (7_000, False, 3, 1, 1),  # 2 serving + a coordinator the extension does not deploy
    ],
)
def test_router_instances(rps, ha, instances, deployed, advice):
    sizing = capacity.router_instances(rps, ha)
    assert (sizing.instances, sizing.deployed, len(sizing.advice)) == (instances, deployed, advice)


def test_router_advice_names_the_limits():
    advice = " ".join(capacity.router_instances(20_000).advice)
    assert "2 vCPU, 1.2 GB" in advice and "upgrade" in advice


def test_reaction_time_and_burst():
    assert capacity.reaction_time_s(1, 1, 20, 40) == 61
    assert capacity.reaction_time_s(10, 25, 0, 0) == 30  # three polls see the rise
    # 50 rps x 0.2 s = 10 replicas with no backlog; allowing 1 s of wait over a 10 s burst: 10 / 1.1.
    assert capacity.reaction_min_instances(50, 0.2, 10, 61) == 10
    assert capacity.reaction_min_instances(50, 0.2, 10, 61, max_wait_s=1.0) == 10  # ceil(9.09)
    assert capacity.reaction_min_instances(50, 0.2, 10, 61, max_wait_s=5.0) == 7  # ceil(6.67)
    assert (
        capacity.reaction_min_instances(50, 0.2, 100, 5, max_wait_s=5.0) == 5
    )  # only the 5 s until help arrives


def test_ramp_headroom():
    # +2 rps/s for 61 s = 122 rps more; at 0.1 s that is 12.2 -> 13 replicas; u <= 100 / 222.
    headroom = capacity.ramp_headroom(100, 2, 0.1, 61)
    assert headroom.extra_replicas == 13
    assert headroom.max_target_utilization == pytest.approx(100 / 222)


def test_node_fit_counts_every_resource_and_reports_pending():
    pools = [
        {"name": "cpu", "count": 5, "allocatable": {"cpu": "7800m", "memory": "28Gi"}},
        {
            "name": "gpu",
            "count": 2,
            "allocatable": {"cpu": 24, "memory": "200Gi", "nvidia.com/gpu": 2},
        },
    ]
    gpu = capacity.node_fit(10, {"cpu": 1, "memory": "4Gi", "gpu": 1}, pools)
    assert [(p.per_node, p.replicas) for p in gpu.pools] == [(0, 0), (2, 4)]
    assert (gpu.schedulable, gpu.pending) == (4, 6)
    cpu = capacity.node_fit(40, {"cpu": "1500m", "memory": "6Gi"}, pools)
    # cpu nodes: min(7800 // 1500, 28 // 6) = 4 each -> 20; gpu nodes: min(16, 33) = 16 each -> 20 more.
    assert [(p.per_node, p.replicas) for p in cpu.pools] == [(4, 20), (16, 20)]
    assert cpu.pending == 0


def test_node_fit_cpu_is_exact_in_millicores():
    fit = capacity.node_fit(
        3,
        {"cpu": "300m", "memory": "1Mi"},
        [{"name": "a", "count": 1, "allocatable": {"cpu": "900m", "memory": "1Gi"}}],
    )
    assert fit.pending == 0  # 0.9 / 0.3 is 2.9999999999999996 in floating point


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: capacity.formula_replicas(-3, 10), "rps"),
        (lambda: capacity.formula_replicas(20, 0), "request_time_s"),
        (lambda: capacity.formula_replicas(20, 10, 0), "max_concurrent"),
        (lambda: capacity.formula_replicas(20, 10, 1, 70), "target_utilization"),
        (lambda: capacity.size(20, 10, slo_wait_ms=100, slo_percentile=100), "slo_percentile"),
        (lambda: capacity.slo_replicas(20, 10, 100, arrival_cv2=-1), "arrival_cv2"),
        (
            lambda: capacity.node_fit(
                1,
                {"cpu": "1x", "memory": "1Gi"},
                [{"name": "a", "count": 1, "allocatable": {"cpu": 1, "memory": "1Gi"}}],
            ),
            "requests.cpu",
        ),
        (lambda: capacity.node_fit(1, {"cpu": 1, "memory": "1Gi"}, []), "pools"),
        (
            lambda: capacity.node_fit(
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


def test_pure_parts_work_with_numpy_blocked():
    # Scale settings, sizing, the recommendation and node fit must run where numpy cannot be
    # imported at all (the stack settings call them): None in sys.modules makes `import numpy`
    # raise ImportError.
    code = """
import sys
sys.modules["numpy"] = None
from router import capacity, controller, queueing, scale
assert capacity.formula_replicas(20, 10, 1, 0.7) == 286
recommendation = capacity.recommend_scale_settings(5000, 0.05, 1, wait_goal_ms=100)
assert recommendation.to_dict()["minInstances"] == 278
assert capacity.size(20, 10, slo_wait_ms=1000).slo_replicas == 222
fit = capacity.node_fit(3, {"cpu": 1, "memory": "1Gi"},
                        [{"name": "a", "count": 1, "allocatable": {"cpu": 2, "memory": "4Gi"}}])
assert fit.pending == 1
assert scale.ScaleSettings.from_v1({"autoscale_max_replicas": 4}).max_instances == 4
assert sys.modules["numpy"] is None
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_recommendation_holds_the_goal_at_the_design_rate_and_the_autoscaler_keeps_it():
    recommendation = capacity.recommend_scale_settings(5000, 0.05, wait_goal_ms=100)
    settings = recommendation.settings
    assert recommendation.design_rps == pytest.approx(5500)
    # min_instances is the goal's count at 5,500 rps: one fewer misses it there.
    assert settings.min_instances == capacity.slo_replicas(5500, 0.05, 100) == 278
    assert capacity.predicted_wait_ms(277, 5500, 0.05) > 100
    # At 5,000 rps the autoscaler asks for ceil(250 / 0.89) = 281 >= min_instances...
    assert settings.target_utilization_percentage == 89
    assert math.ceil(250 / 0.89) >= settings.min_instances
    # ...but not at 90 %, the next whole percent: that would ask for 278 at 250.2 in flight.
    assert 250 / (1 * 278) < 0.90
    # max_instances: 275 in flight at 5,500 rps plus 3 standard deviations, at 89 %.
    assert settings.max_instances == math.ceil((275 + 3 * math.sqrt(275)) / 0.89) == 365
    assert recommendation.to_dict() == {
        "maxInstances": 365,
        "minInstances": 278,
        "pollingInterval": 1,
        "targetUtilizationPercentage": 89,
    }
    assert recommendation.derivation.startswith(
        "minInstances 278: p99 wait <= 100 ms at 5500 rps (5000 +10%, Erlang C); "
        "targetUtilizationPercentage 89: floor(100 x 250 in flight / (1 x 278)); maxInstances 365"
    )


def test_recommendation_without_a_goal_is_the_docs_formula():
    recommendation = capacity.recommend_scale_settings(20, 10)
    assert recommendation.basis == "formula" and recommendation.goal_replicas is None
    assert recommendation.to_dict() == {
        "maxInstances": 286,
        "minInstances": 1,
        "pollingInterval": 1,
        "targetUtilizationPercentage": 70,
    }


def test_recommendation_with_both_goals_takes_the_larger_count():
    both = capacity.recommend_scale_settings(
        50, 0.2, wait_goal_ms=30, latency_goal_ms=1500, headroom=0
    )
    assert both.goal_replicas == max(
        capacity.slo_replicas(50, 0.2, 30), capacity.latency_replicas(50, 0.2, 1500)
    )


def test_latency_goal_counts_the_request_time():
    # 50 rps x 200 ms exponential: the request time alone has p99 921 ms (+ 15 ms overhead).
    r = capacity.latency_replicas(50, 0.2, 1500)
    assert (
        capacity.predicted_latency_ms(r, 50, 0.2)
        <= 1500
        < capacity.predicted_latency_ms(r - 1, 50, 0.2)
    )
    assert queueing.latency_tail(r, 50, 0.2, 1.485) <= 0.01
    with pytest.raises(InputError, match="936.0 ms, the p99 of the request time alone"):
        capacity.latency_replicas(50, 0.2, 900)
    # Constant request times: the floor is the request time itself.
    assert capacity.latency_replicas(50, 0.2, 300, service_cv2=0) >= 11
    with pytest.raises(InputError) as caught:
        capacity.latency_replicas(50, 0.2, 1500, service_cv2=4)
    assert caught.value.field == "service_cv2"


@pytest.mark.parametrize(
    ("call", "field", "fragment"),
    [
        (lambda: capacity.formula_replicas(2e6, 0.1), "rps", "at most 1,000,000"),
        (lambda: capacity.formula_replicas(1e5, 100), "rps", "requests in flight"),
        (lambda: capacity.formula_replicas(1, 1e6), "request_time_s", "at most 86,400"),
        (lambda: capacity.formula_replicas(1, 1, 5000), "max_concurrent", "at most 1,000"),
        (lambda: capacity.slo_replicas(1, 1, 100, arrival_cv2=1e9), "arrival_cv2", "at most"),
        (
            lambda: capacity.recommend_scale_settings(1, 1, wait_goal_ms=100, headroom=50),
            "headroom",
            "at most 10",
        ),
    ],
)
def test_bounds_give_a_clear_error(call, field, fragment):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field and fragment in caught.value.problem
