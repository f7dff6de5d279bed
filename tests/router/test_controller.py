import pytest

from router.controller import Autoscaler, ReplicaPool
from router.inputs import InputError
from router.scale import ScaleSettings


def run(loads, *, min_instances=1, max_instances=20, up=1.0, down=60.0, start_delay=0.0, ready=1):
    """Poll once a second on a fake clock (t = 1, 2, ...) with (busy, queued) from `loads`;
    return {t: (desired, ready at the poll)}."""
    scale = ScaleSettings(min_instances=min_instances, max_instances=max_instances)
    autoscaler = Autoscaler(scale, 1, scale_up_delay_s=up, scale_down_delay_s=down)
    pool = ReplicaPool(ready, start_delay)
    seen = {}
    for t, (busy, queued) in enumerate(loads, 1):
        pool.advance(t)
        desired = autoscaler.decide(t, busy, queued, pool.ready, len(pool.starting))
        seen[t] = (desired, pool.ready)
        pool.scale_to(t, desired)
    return seen


def steady(busy, polls, queued=0):
    return [(busy, queued)] * polls


CASES = [
    # name, run() keywords, loads, {poll: (desired, ready)}
    (
        "steady rise follows ceil(load / 0.7) at once",
        {},
        [(b, 0) for b in range(1, 11)],
        {1: (2, 1), 2: (3, 2), 5: (8, 6), 10: (15, 13)},
    ),
    (
        "queued requests count like busy replicas",
        {"ready": 5},
        steady(5, 1, queued=9),
        {1: (20, 5)},
    ),
    (
        "burst: up at once, down only after 60 s",
        {"min_instances": 2},
        steady(1, 5) + steady(14, 1) + steady(1, 70),
        {5: (2, 2), 6: (20, 2), 7: (20, 20), 65: (20, 20), 66: (2, 20), 67: (2, 2)},
    ),
    (
        "scale-down after 20 polling intervals, the newer docs' reading",
        {"min_instances": 2, "down": 20.0},
        steady(1, 5) + steady(14, 1) + steady(1, 30),
        {25: (20, 20), 26: (2, 20)},
    ),
    (
        "a lull shorter than the scale-down delay is ignored",
        {"ready": 10},
        steady(7, 70) + steady(1, 30) + steady(7, 10),
        {70: (10, 10), 100: (10, 10), 110: (10, 10)},
    ),
    (
        "no scale-down before the controller has watched for the whole delay",
        {"ready": 10},
        steady(0, 70),
        {60: (10, 10), 61: (1, 10), 62: (1, 1)},
    ),
    ("clamped to max_instances", {}, steady(100, 3), {1: (20, 1), 3: (20, 20)}),
    (
        "clamped to min_instances, also below it at the start",
        {"min_instances": 3, "ready": 1},
        steady(0, 2),
        {1: (3, 1), 2: (3, 3)},
    ),
    (
        "pods serve only after the start delay and are not asked for twice",
        {"start_delay": 30.0},
        steady(0, 4) + steady(7, 40),
        {5: (10, 1), 20: (10, 1), 34: (10, 1), 35: (10, 10)},
    ),
    (
        "a scale-up delay of 3 s ignores a 2-poll spike and follows a 3-poll rise",
        {"up": 3.0},
        steady(1, 5) + steady(7, 2) + steady(1, 3) + steady(7, 3),
        {6: (2, 2), 7: (2, 2), 11: (2, 2), 12: (2, 2), 13: (10, 2)},
    ),
]


@pytest.mark.parametrize(
    ("name", "options", "loads", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_autoscaler(name, options, loads, expected):
    seen = run(loads, **options)
    assert {t: seen[t] for t in expected} == expected


def test_scaling_down_cancels_starting_pods_newest_first():
    pool = ReplicaPool(2, start_delay_s=30)
    pool.scale_to(0, 4)  # ready at 30
    pool.scale_to(10, 5)  # ready at 40
    change = pool.scale_to(20, 2)
    assert change.cancelled == (40.0, 30.0, 30.0) and change.removed_ready == 0
    change = pool.scale_to(21, 1)
    assert change.removed_ready == 1 and pool.total == 1


def test_recommendation_uses_every_slot_of_a_replica():
    autoscaler = Autoscaler(ScaleSettings(max_instances=50), max_concurrent=4)
    assert autoscaler.recommend(busy=28, queued=0) == 10  # 28 / (4 x 0.7)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"scale_down_delay_s": -1}, "scale_down_delay_s"), ({"max_concurrent": 0}, "max_concurrent")],
)
def test_invalid_controller_settings(kwargs, field):
    with pytest.raises(InputError) as caught:
        Autoscaler(ScaleSettings(), **kwargs)
    assert caught.value.field == field
