import math

import pytest

from router import formula, recommend
from router.inputs import InputError


def test_recommendation_holds_the_goal_at_the_design_rate_and_the_autoscaler_keeps_it():
    recommendation = recommend.recommend_scale_settings(5000, 50, wait_goal_ms=100)
    settings = recommendation.settings
    assert recommendation.design_rps == pytest.approx(5500)
    # minInstances is the goal's count at 5,500 rps: one fewer misses it there.
    assert settings.min_instances == formula.wait_goal_replicas(5500, 50, 100) == 278
    assert formula.predicted_wait_ms(277, 5500, 50) > 100
    # At 5,000 rps the autoscaler asks for ceil(250 / 0.89) = 281 >= minInstances...
    assert settings.target_utilization_percentage == 89
    assert math.ceil(250 / 0.89) >= settings.min_instances
    # ...but not at 90 %, the next whole percent: that would ask for 278 at 250.2 in flight.
    assert 250 / (1 * 278) < 0.90
    # maxInstances: 275 in flight at 5,500 rps plus 3 standard deviations, at 89 %.
    assert settings.max_instances == math.ceil((275 + 3 * math.sqrt(275)) / 0.89) == 365
    assert settings.to_stack() == {
        "minInstances": 278,
        "maxInstances": 365,
        "targetUtilizationPercentage": 89,
        "pollingIntervalS": 1,
    }
    assert recommendation.derivation.startswith(
        "minInstances 278: p99 wait <= 100 ms at 5500 rps (5000 +10%, Erlang C); "
        "targetUtilizationPercentage 89: floor(100 x 250 in flight / (1 x 278)); maxInstances 365"
    )


def test_recommendation_without_a_goal_is_the_docs_formula():
    recommendation = recommend.recommend_scale_settings(20, 10_000)
    assert recommendation.basis == "formula" and recommendation.goal_replicas is None
    assert recommendation.settings.to_stack() == {
        "minInstances": 1,
        "maxInstances": 286,
        "targetUtilizationPercentage": 70,
        "pollingIntervalS": 1,
    }


def test_recommendation_with_both_goals_takes_the_larger_count():
    both = recommend.recommend_scale_settings(
        50, 200, wait_goal_ms=30, latency_goal_ms=1500, headroom=0
    )
    assert both.goal_replicas == max(
        formula.wait_goal_replicas(50, 200, 30), formula.latency_goal_replicas(50, 200, 1500)
    )


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
    sizing = recommend.router_instances(rps, ha)
    assert (sizing.instances, sizing.deployed, len(sizing.advice)) == (instances, deployed, advice)


def test_router_advice_names_the_limits():
    advice = " ".join(recommend.router_instances(20_000).advice)
    assert "2 vCPU, 1.2GB" in advice and "upgrade" in advice


def test_reaction_time_and_burst():
    assert recommend.reaction_time_s(1, 1, 20, 40) == 61
    assert recommend.reaction_time_s(10, 25, 0, 0) == 30  # three polls see the rise
    # 50 rps x 200 ms = 10 replicas with no backlog; 1 s of wait over a 10 s burst: 10 / 1.1.
    assert recommend.reaction_min_instances(50, 200, 10, 61) == 10
    assert recommend.reaction_min_instances(50, 200, 10, 61, max_wait_ms=1000) == 10  # ceil(9.09)
    assert recommend.reaction_min_instances(50, 200, 10, 61, max_wait_ms=5000) == 7  # ceil(6.67)
    # only the 5 s until help arrives count
    assert recommend.reaction_min_instances(50, 200, 100, 5, max_wait_ms=5000) == 5


def test_ramp_headroom():
    # +2 rps/s for 61 s = 122 rps more; at 100 ms that is 12.2 -> 13 replicas; u <= 100 / 222.
    headroom = recommend.ramp_headroom(100, 2, 100, 61)
    assert headroom.extra_replicas == 13
    assert headroom.max_target_utilization == pytest.approx(100 / 222)


@pytest.mark.parametrize(
    ("call", "field", "fragment"),
    [
        (
            lambda: recommend.recommend_scale_settings(1, 1, wait_goal_ms=100, headroom=50),
            "headroom",
            "at most 10",
        ),
        (lambda: recommend.reaction_time_s(0), "polling_interval_s", "> 0"),
        (lambda: recommend.reaction_time_s(1, 1e308), "scale_up_delay_s", "at most"),
        (lambda: recommend.ramp_headroom(100, -2, 100, 61), "ramp_rps_per_s", ">= 0"),
    ],
)
def test_bounds_give_a_clear_error(call, field, fragment):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field and fragment in caught.value.problem
