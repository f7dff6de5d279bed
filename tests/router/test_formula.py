import math

import pytest

from router import formula, queueing
from router.inputs import InputError


def test_formula_gives_the_docs_example():
    # Learn: 20 rps, 10 s per request, 1 per container, 70 % -> ceil(285.71) = 286.
    assert formula.formula_replicas(20, 10_000, 1, 70) == 286


@pytest.mark.parametrize(
    ("rps", "ms", "k", "percent", "expected"),
    [(7, 1000, 1, 70, 10), (1, 1000, 1, 100, 1), (100, 50, 2, 50, 5), (5000, 50, 1, 70, 358)],
)
def test_formula_hand_checked(rps, ms, k, percent, expected):
    # 7 x 1 / 0.7 is 10.000000000000002 in floating point; exactly 10 replicas suffice.
    assert formula.formula_replicas(rps, ms, k, percent) == expected


def test_wait_goal_counts_router_overhead_and_concurrency():
    r = formula.wait_goal_replicas(500, 20, 40, max_concurrent=2)
    assert queueing.wait_percentile(2 * r, 500, 0.02, 99) * 1000 + 15 <= 40
    assert queueing.wait_percentile(2 * (r - 1), 500, 0.02, 99) * 1000 + 15 > 40
    with pytest.raises(InputError, match="overhead of 15 ms"):
        formula.wait_goal_replicas(500, 20, 15)


def test_burstier_traffic_needs_more_replicas():
    bursty = formula.wait_goal_replicas(100, 100, 50, arrival_cv2=4)
    assert bursty > formula.wait_goal_replicas(100, 100, 50)


def test_latency_goal_counts_the_request_time():
    # 50 rps x 200 ms exponential: the request time alone has p99 921 ms (+ 15 ms overhead).
    r = formula.latency_goal_replicas(50, 200, 1500)
    assert (
        formula.predicted_latency_ms(r, 50, 200)
        <= 1500
        < formula.predicted_latency_ms(r - 1, 50, 200)
    )
    assert queueing.latency_tail(r, 50, 0.2, 1.485) <= 0.01
    with pytest.raises(InputError, match="936.0 ms, the p99 of the request time alone"):
        formula.latency_goal_replicas(50, 200, 900)
    # Constant request times: the floor is the request time itself.
    assert formula.latency_goal_replicas(50, 200, 300, service_cv2=0) >= 11
    with pytest.raises(InputError) as caught:
        formula.latency_goal_replicas(50, 200, 1500, service_cv2=4)
    assert caught.value.field == "service_cv2"


def test_predicted_wait_is_the_erlang_c_percentile_plus_overhead():
    # 1 rps x 1 s on 2 replicas: M/M/2 at a = 1, p99 wait ln(100/3) s.
    assert formula.predicted_wait_ms(2, 1, 1000) == pytest.approx(1000 * math.log(100 / 3) + 15)
    assert formula.predicted_wait_ms(1, 1, 1000) == math.inf  # overloaded


@pytest.mark.parametrize(
    ("call", "field", "fragment"),
    [
        (lambda: formula.formula_replicas(-3, 10), "rps", "> 0"),
        (lambda: formula.formula_replicas(True, 10), "rps", "> 0"),
        (lambda: formula.formula_replicas(math.nan, 10), "rps", "> 0"),
        (lambda: formula.formula_replicas(20, 0), "request_time_ms", "> 0"),
        (lambda: formula.formula_replicas(20, 10, 0), "max_concurrent", ">= 1"),
        (
            lambda: formula.formula_replicas(20, 10, 1, 0.7),
            "target_utilization_percentage",
            "whole",
        ),
        (lambda: formula.formula_replicas(20, 10, 1, 101), "target_utilization_percentage", "100"),
        (lambda: formula.formula_replicas(2e6, 100), "rps", "at most 1,000,000"),
        (lambda: formula.formula_replicas(1e5, 100_000), "rps", "requests in flight"),
        (lambda: formula.formula_replicas(1, 1e9), "request_time_ms", "at most 86,400,000"),
        (lambda: formula.formula_replicas(1, 1, 5000), "max_concurrent", "at most 1,000"),
        (
            lambda: formula.wait_goal_replicas(20, 10, 100, wait_percentile=100),
            "wait_percentile",
            "between",
        ),
        (lambda: formula.wait_goal_replicas(20, 10, 100, arrival_cv2=-1), "arrival_cv2", ">= 0"),
        (lambda: formula.wait_goal_replicas(1, 1, 100, arrival_cv2=1e9), "arrival_cv2", "at most"),
        (lambda: formula.wait_goal_replicas(1, 1, 100, 99, 1, 0, 0), "arrival_cv2", "cannot be 0"),
    ],
)
def test_invalid_input_names_the_argument_and_the_bound(call, field, fragment):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field and fragment in caught.value.problem
